#include "providers/route.h"

#include <gtest/gtest.h>

namespace warden::providers {
namespace {

void expectRoute(const Route& r, Provider provider, Operation operation, const std::string& model = "",
                 bool stream = false) {
  EXPECT_EQ(r.provider, provider) << toString(r.provider);
  EXPECT_EQ(r.operation, operation) << toString(r.operation);
  EXPECT_EQ(r.modelFromPath, model);
  EXPECT_EQ(r.streamFromPath, stream);
}

TEST(Route, ProviderForHostIgnoresCasePortAndTrailingDot) {
  EXPECT_EQ(providerForHost("api.openai.com"), Provider::OpenAI);
  EXPECT_EQ(providerForHost("API.OpenAI.COM:443"), Provider::OpenAI);
  EXPECT_EQ(providerForHost("api.openai.com."), Provider::OpenAI);
  EXPECT_EQ(providerForHost("myres.openai.azure.com"), Provider::AzureOpenAI);
  EXPECT_EQ(providerForHost("MyRes.OpenAI.Azure.com:8443"), Provider::AzureOpenAI);
  EXPECT_EQ(providerForHost("myres.cognitiveservices.azure.com"), Provider::AzureOpenAI);
  EXPECT_EQ(providerForHost("api.anthropic.com"), Provider::Anthropic);
  EXPECT_EQ(providerForHost("generativelanguage.googleapis.com:443"), Provider::Gemini);
  EXPECT_EQ(providerForHost("localhost:11434"), Provider::Unknown);
  EXPECT_EQ(providerForHost("[::1]:8080"), Provider::Unknown);
  EXPECT_EQ(providerForHost(""), Provider::Unknown);
  // Look-alikes are not the provider.
  EXPECT_EQ(providerForHost("api.openai.com.evil.example"), Provider::Unknown);
  EXPECT_EQ(providerForHost("xapi.openai.com"), Provider::Unknown);
  EXPECT_EQ(providerForHost("openai.azure.com"), Provider::Unknown);
  EXPECT_EQ(providerForHost("evilopenai.azure.com"), Provider::Unknown);
}

TEST(Route, OpenAiOperations) {
  expectRoute(route("api.openai.com", "POST", "/v1/chat/completions"), Provider::OpenAI, Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/completions"), Provider::OpenAI, Operation::Completions);
  expectRoute(route("api.openai.com", "POST", "/v1/responses"), Provider::OpenAI, Operation::Responses);
  expectRoute(route("api.openai.com", "POST", "/v1/embeddings"), Provider::OpenAI, Operation::Embeddings);
  expectRoute(route("api.openai.com", "POST", "/v1/moderations"), Provider::OpenAI, Operation::Moderations);
}

TEST(Route, OpenAiQueryTrailingSlashAndSpellings) {
  expectRoute(route("api.openai.com:443", "POST", "/v1/chat/completions?stream=true"), Provider::OpenAI,
              Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/chat/completions/"), Provider::OpenAI, Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/chat/completions#x"), Provider::OpenAI, Operation::ChatCompletions);
  // What a server would route to the same handler is read the same way.
  expectRoute(route("api.openai.com", "POST", "/v1//chat/completions"), Provider::OpenAI, Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/chat/completion%73"), Provider::OpenAI, Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/chat%2Fcompletions"), Provider::OpenAI, Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "/v1/./x/../chat/completions"), Provider::OpenAI,
              Operation::ChatCompletions);
  expectRoute(route("api.openai.com", "POST", "https://api.openai.com/v1/responses"), Provider::OpenAI,
              Operation::Responses);
}

TEST(Route, OpenAiOtherPathsAndMethodsAreUninspected) {
  expectRoute(route("api.openai.com", "GET", "/v1/chat/completions"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "post", "/v1/chat/completions"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "GET", "/v1/models"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/v1/files/file-abc/content"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "GET", "/v1/files"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/v1/responses/resp_1/cancel"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/v1/chat/completions/chatcmpl-1"), Provider::OpenAI,
              Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/chat/completions"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/v1/messages"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", "/api/chat"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("api.openai.com", "POST", ""), Provider::OpenAI, Operation::Uninspected);
}

TEST(Route, UploadsAreFilesOrAudioTranscriptions) {
  expectRoute(route("api.openai.com", "POST", "/v1/files"), Provider::OpenAI, Operation::Files);
  expectRoute(route("api.openai.com", "POST", "/v1/audio/transcriptions"), Provider::OpenAI,
              Operation::AudioTranscriptions);
  expectRoute(route("api.openai.com", "POST", "/v1/audio/translations/"), Provider::OpenAI,
              Operation::AudioTranscriptions);
  expectRoute(route("api.openai.com", "POST", "/v1/audio/speech"), Provider::OpenAI, Operation::Uninspected);
  expectRoute(route("contoso.openai.azure.com", "POST", "/openai/files?api-version=2024-10-21"), Provider::AzureOpenAI,
              Operation::Files);
  expectRoute(route("contoso.openai.azure.com", "POST", "/openai/v1/audio/transcriptions"), Provider::AzureOpenAI,
              Operation::AudioTranscriptions);
  expectRoute(route("localhost:8000", "POST", "/v1/audio/transcriptions"), Provider::Unknown,
              Operation::AudioTranscriptions);
  EXPECT_STREQ(toString(Operation::Files), "files");
  EXPECT_STREQ(toString(Operation::AudioTranscriptions), "audio_transcriptions");
}

TEST(Route, AzureDeploymentsNameTheModel) {
  const std::string host = "contoso.openai.azure.com";
  expectRoute(route(host, "POST", "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"),
              Provider::AzureOpenAI, Operation::ChatCompletions, "gpt4o-prod");
  expectRoute(route(host, "POST", "/openai/deployments/instruct/completions?api-version=2024-10-21"),
              Provider::AzureOpenAI, Operation::Completions, "instruct");
  expectRoute(route(host, "POST", "/openai/deployments/embed-small/embeddings?api-version=2024-10-21"),
              Provider::AzureOpenAI, Operation::Embeddings, "embed-small");
  expectRoute(route(host, "POST", "/openai/v1/chat/completions"), Provider::AzureOpenAI, Operation::ChatCompletions);
  expectRoute(route(host, "POST", "/openai/v1/responses?api-version=preview"), Provider::AzureOpenAI,
              Operation::Responses);
  expectRoute(route(host, "POST", "/openai/responses?api-version=2025-04-01-preview"), Provider::AzureOpenAI,
              Operation::Responses);
  expectRoute(route(host, "POST", "/openai/deployments/x/audio/transcriptions"), Provider::AzureOpenAI,
              Operation::AudioTranscriptions, "x");
  expectRoute(route(host, "POST", "/openai/deployments/x/audio/speech"), Provider::AzureOpenAI, Operation::Uninspected);
  expectRoute(route(host, "GET", "/openai/deployments/x/chat/completions"), Provider::AzureOpenAI,
              Operation::Uninspected);
  expectRoute(route(host, "POST", "/v1/chat/completions"), Provider::AzureOpenAI, Operation::Uninspected);
}

TEST(Route, AnthropicMessages) {
  expectRoute(route("api.anthropic.com", "POST", "/v1/messages"), Provider::Anthropic, Operation::Messages);
  expectRoute(route("api.anthropic.com", "POST", "/v1/messages?beta=true"), Provider::Anthropic, Operation::Messages);
  expectRoute(route("api.anthropic.com", "POST", "/v1/messages/count_tokens"), Provider::Anthropic,
              Operation::Uninspected);
  expectRoute(route("api.anthropic.com", "POST", "/v1/messages/batches"), Provider::Anthropic, Operation::Uninspected);
  expectRoute(route("api.anthropic.com", "POST", "/v1/complete"), Provider::Anthropic, Operation::Uninspected);
  // Anthropic's OpenAI SDK compatibility endpoint.
  expectRoute(route("api.anthropic.com", "POST", "/v1/chat/completions"), Provider::Anthropic,
              Operation::ChatCompletions);
}

TEST(Route, GeminiModelsFromPath) {
  const std::string host = "generativelanguage.googleapis.com";
  expectRoute(route(host, "POST", "/v1beta/models/gemini-1.5-pro:generateContent"), Provider::Gemini,
              Operation::GenerateContent, "gemini-1.5-pro");
  expectRoute(route(host, "POST", "/v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse"), Provider::Gemini,
              Operation::StreamGenerateContent, "gemini-2.0-flash", true);
  expectRoute(route(host, "POST", "/v1beta/tunedModels/my-tuned-1:generateContent"), Provider::Gemini,
              Operation::GenerateContent, "tunedModels/my-tuned-1");
  expectRoute(route(host, "POST", "/v1beta/models/gemini-1.5-pro%3AgenerateContent"), Provider::Gemini,
              Operation::GenerateContent, "gemini-1.5-pro");
  expectRoute(route(host, "POST", "/v1beta/models/gemini-1.5-pro:countTokens"), Provider::Gemini,
              Operation::Uninspected);
  expectRoute(route(host, "POST", "/v1beta/models/text-embedding-004:embedContent"), Provider::Gemini,
              Operation::Uninspected);
  expectRoute(route(host, "POST", "/v1beta/models/:generateContent"), Provider::Gemini, Operation::Uninspected);
  expectRoute(route(host, "GET", "/v1beta/models/gemini-1.5-pro:generateContent"), Provider::Gemini,
              Operation::Uninspected);
  expectRoute(route(host, "POST", "/v1beta/openai/chat/completions"), Provider::Gemini, Operation::ChatCompletions);
}

TEST(Route, UnknownHostsAreRoutedByPath) {
  expectRoute(route("localhost:11434", "POST", "/api/chat"), Provider::Ollama, Operation::OllamaChat);
  expectRoute(route("127.0.0.1:11434", "POST", "/api/generate"), Provider::Ollama, Operation::OllamaGenerate);
  expectRoute(route("127.0.0.1:11434", "POST", "/api/embeddings"), Provider::Ollama, Operation::Uninspected);
  expectRoute(route("localhost:11434", "POST", "/v1/chat/completions"), Provider::Unknown, Operation::ChatCompletions);
  expectRoute(route("localhost:8000", "POST", "/v1/embeddings"), Provider::Unknown, Operation::Embeddings);
  expectRoute(route("localhost:8000", "POST", "/v1/completions"), Provider::Unknown, Operation::Completions);
  expectRoute(route("localhost:8000", "POST", "/v1/responses"), Provider::Unknown, Operation::Responses);
  // Gateways put a prefix before the OpenAI path.
  expectRoute(route("openrouter.ai", "POST", "/api/v1/chat/completions"), Provider::Unknown,
              Operation::ChatCompletions);
  expectRoute(route("api.groq.com", "POST", "/openai/v1/chat/completions"), Provider::Unknown,
              Operation::ChatCompletions);
  expectRoute(route("api.deepseek.com", "POST", "/chat/completions"), Provider::Unknown, Operation::ChatCompletions);
  expectRoute(route("gw.internal", "POST", "/openai/deployments/team-a/chat/completions"), Provider::Unknown,
              Operation::ChatCompletions, "team-a");
  expectRoute(route("gw.internal", "POST", "/anthropic/v1/messages"), Provider::Anthropic, Operation::Messages);
  expectRoute(route("gw.internal", "POST", "/gemini/v1beta/models/gemini-pro:streamGenerateContent"), Provider::Gemini,
              Operation::StreamGenerateContent, "gemini-pro", true);
  expectRoute(route("gw.internal", "POST", "/v1/threads/t1/messages"), Provider::Unknown, Operation::Uninspected);
  expectRoute(route("gw.internal", "POST", "/v1/messages/count_tokens"), Provider::Unknown, Operation::Uninspected);
  expectRoute(route("gw.internal", "POST", "/healthz"), Provider::Unknown, Operation::Uninspected);
  expectRoute(route("gw.internal", "GET", "/api/chat"), Provider::Ollama, Operation::Uninspected);
  expectRoute(route("gw.internal", "POST", "/"), Provider::Unknown, Operation::Uninspected);
}

TEST(RouteConversationNames, AreStableLowercase) {
  EXPECT_STREQ(toString(Provider::OpenAI), "openai");
  EXPECT_STREQ(toString(Provider::AzureOpenAI), "azure_openai");
  EXPECT_STREQ(toString(Provider::Anthropic), "anthropic");
  EXPECT_STREQ(toString(Provider::Gemini), "gemini");
  EXPECT_STREQ(toString(Provider::Ollama), "ollama");
  EXPECT_STREQ(toString(Provider::Unknown), "unknown");
  EXPECT_STREQ(toString(Operation::ChatCompletions), "chat_completions");
  EXPECT_STREQ(toString(Operation::Completions), "completions");
  EXPECT_STREQ(toString(Operation::Responses), "responses");
  EXPECT_STREQ(toString(Operation::Embeddings), "embeddings");
  EXPECT_STREQ(toString(Operation::Moderations), "moderations");
  EXPECT_STREQ(toString(Operation::Messages), "messages");
  EXPECT_STREQ(toString(Operation::GenerateContent), "generate_content");
  EXPECT_STREQ(toString(Operation::StreamGenerateContent), "stream_generate_content");
  EXPECT_STREQ(toString(Operation::OllamaChat), "ollama_chat");
  EXPECT_STREQ(toString(Operation::OllamaGenerate), "ollama_generate");
  EXPECT_STREQ(toString(Operation::Uninspected), "uninspected");
  EXPECT_STREQ(toString(Role::System), "system");
  EXPECT_STREQ(toString(Role::Developer), "developer");
  EXPECT_STREQ(toString(Role::User), "user");
  EXPECT_STREQ(toString(Role::Assistant), "assistant");
  EXPECT_STREQ(toString(Role::Tool), "tool");
  EXPECT_STREQ(toString(Role::Unknown), "unknown");
}

}  // namespace
}  // namespace warden::providers
