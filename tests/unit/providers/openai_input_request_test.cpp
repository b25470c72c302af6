#include <gtest/gtest.h>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::openAiFixture;
using testing::parseOpenAi;

TEST(OpenAiInputRequest, CompletionsPromptsAndSuffix) {
  auto parsed = parseOpenAi(Operation::Completions, openAiFixture("completions_request.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->model, "gpt-3.5-turbo-instruct");
  EXPECT_EQ(parsed->maxOutputTokens, 7u);
  ASSERT_TRUE(parsed->temperature);
  EXPECT_DOUBLE_EQ(*parsed->temperature, 0.0);
  EXPECT_TRUE(parsed->messages.empty());
  // The token-id prompt (index 1) is not text.
  ASSERT_EQ(parsed->inputs.size(), 3u);
  EXPECT_EQ(parsed->inputs[0].text, "Say this is a test");
  EXPECT_EQ(parsed->inputs[0].pointer, "/prompt/0");
  EXPECT_EQ(parsed->inputs[1].text, "Second prompt");
  EXPECT_EQ(parsed->inputs[1].pointer, "/prompt/2");
  EXPECT_EQ(parsed->inputs[2].text, " -- end");
  EXPECT_EQ(parsed->inputs[2].pointer, "/suffix");
}

TEST(OpenAiInputRequest, CompletionsPromptString) {
  auto parsed = parseOpenAi(Operation::Completions, R"({"model":"m","prompt":"Once upon"})");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->inputs.size(), 1u);
  EXPECT_EQ(parsed->inputs[0].text, "Once upon");
  EXPECT_EQ(parsed->inputs[0].pointer, "/prompt");
  auto none = parseOpenAi(Operation::Completions, R"({"model":"m"})");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->inputs.empty());
}

TEST(OpenAiInputRequest, EmbeddingsInputs) {
  auto parsed = parseOpenAi(Operation::Embeddings, openAiFixture("embeddings_request.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->operation, Operation::Embeddings);
  EXPECT_EQ(parsed->model, "text-embedding-3-small");
  ASSERT_EQ(parsed->inputs.size(), 2u);
  EXPECT_EQ(parsed->inputs[0].text, "The food was delicious");
  EXPECT_EQ(parsed->inputs[0].pointer, "/input/0");
  EXPECT_EQ(parsed->inputs[1].text, "and the waiter...");
  EXPECT_EQ(parsed->inputs[1].pointer, "/input/2");

  auto single = parseOpenAi(Operation::Embeddings, R"({"model":"m","input":"one"})");
  ASSERT_TRUE(single);
  ASSERT_EQ(single->inputs.size(), 1u);
  EXPECT_EQ(single->inputs[0].pointer, "/input");
  auto tokens = parseOpenAi(Operation::Embeddings, R"({"model":"m","input":[1,2,3]})");
  ASSERT_TRUE(tokens);
  EXPECT_TRUE(tokens->inputs.empty());
}

TEST(OpenAiInputRequest, ModerationsText) {
  auto parsed = parseOpenAi(Operation::Moderations, R"({"input":["first","second"]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->model, "");
  ASSERT_EQ(parsed->inputs.size(), 2u);
  EXPECT_EQ(parsed->inputs[1].text, "second");
  EXPECT_EQ(parsed->inputs[1].pointer, "/input/1");
  EXPECT_TRUE(parsed->messages.empty());
}

TEST(OpenAiInputRequest, ModerationsMultiModal) {
  auto parsed = parseOpenAi(Operation::Moderations, openAiFixture("moderations_request.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->model, "omni-moderation-latest");
  ASSERT_EQ(parsed->inputs.size(), 1u);
  EXPECT_EQ(parsed->inputs[0].text, "...text to classify goes here...");
  EXPECT_EQ(parsed->inputs[0].pointer, "/input/0/text");
  ASSERT_EQ(parsed->messages.size(), 1u);
  EXPECT_EQ(parsed->messages[0].role, Role::User);
  ASSERT_EQ(parsed->messages[0].parts.size(), 1u);
  EXPECT_EQ(parsed->messages[0].parts[0].kind, Part::Kind::Image);
  EXPECT_EQ(parsed->messages[0].parts[0].reference, "https://example.com/image.png");
}

struct BadInput {
  Operation operation;
  const char* body;
  const char* error;
};

class OpenAiInputRequestErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(OpenAiInputRequestErrors, NameWhatIsWrong) {
  auto parsed = parseOpenAi(GetParam().operation, GetParam().body);
  ASSERT_FALSE(parsed) << GetParam().body;
  EXPECT_EQ(parsed.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, OpenAiInputRequestErrors,
    ::testing::Values(
        BadInput{Operation::Completions, R"({"prompt":5})", "prompt: expected a string or an array of strings"},
        BadInput{Operation::Completions, R"({"prompt":["a",{"b":1}]})", "prompt[1]: expected a string or token ids"},
        BadInput{Operation::Completions, R"({"prompt":[[1,"x"]]})", "prompt[0]: expected a string or token ids"},
        BadInput{Operation::Completions, R"({"prompt":"a","suffix":1})", "suffix: expected a string"},
        BadInput{Operation::Embeddings, R"({"model":"m"})",
                 "input: expected a string or an array of strings (it is required)"},
        BadInput{Operation::Embeddings, R"({"input":{"text":"a"}})", "input: expected a string or an array of strings"},
        BadInput{Operation::Embeddings, R"({"input":[true]})", "input[0]: expected a string or token ids"},
        BadInput{Operation::Moderations, R"({})", "input: expected a string or an array of strings (it is required)"},
        BadInput{Operation::Moderations, R"({"input":[{"type":"text"}]})",
                 "input[0].text: expected a string (it is required)"},
        BadInput{Operation::Moderations, R"({"input":[{"type":"audio","audio":"x"}]})",
                 "input[0].type: expected \"text\" or \"image_url\""},
        BadInput{Operation::Moderations, R"({"input":[{"type":"text","text":"a"},"b"]})",
                 "input[1]: expected an input part object"},
        BadInput{Operation::Moderations, R"({"input":[{"type":"image_url","image_url":{}}]})",
                 "input[0].image_url.url: expected a string (it is required)"}));

}  // namespace
}  // namespace warden::providers
