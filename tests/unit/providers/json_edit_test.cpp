#include "providers/json_edit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "providers/adapter.h"
#include "providers/route.h"

namespace warden::providers {
namespace {

using nlohmann::json;

TEST(JsonEdit, ReplacesStringsAtPointersAndKeepsEverythingElse) {
  const std::string body =
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"my key is sk-123"},)"
      R"({"role":"user","content":[{"type":"text","text":"and AKIA999"}]}],"temperature":0.7,"n":1})";
  auto edited = applyEdits(
      body, {{"/messages/0/content", "my key is [REDACTED]"}, {"/messages/1/content/0/text", "and [REDACTED]"}});
  ASSERT_TRUE(edited) << edited.error().message;
  const json out = json::parse(*edited);
  EXPECT_EQ(out["messages"][0]["content"], "my key is [REDACTED]");
  EXPECT_EQ(out["messages"][1]["content"][0]["text"], "and [REDACTED]");
  EXPECT_EQ(out["model"], "gpt-4o");
  EXPECT_EQ(out["messages"][0]["role"], "user");
  EXPECT_DOUBLE_EQ(out["temperature"].get<double>(), 0.7);
  EXPECT_EQ(out["n"], 1);
  // Key order is the client's, so the body only differs where it was edited.
  EXPECT_EQ(edited->find("\"model\""), 1u);
  EXPECT_LT(edited->find("\"messages\""), edited->find("\"temperature\""));
}

TEST(JsonEdit, NoEditsReserialisesTheSameDocument) {
  const std::string body = R"({ "b" : [1, 2.5, "x", null, true], "a" : {"ü": "✓"} })";
  auto edited = applyEdits(body, {});
  ASSERT_TRUE(edited);
  EXPECT_EQ(*edited, R"({"b":[1,2.5,"x",null,true],"a":{"ü":"✓"}})");
}

TEST(JsonEdit, EscapedPointerTokens) {
  auto edited = applyEdits(R"({"a/b":{"c~d":"old"}})", {{"/a~1b/c~0d", "new"}});
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(*edited, R"({"a/b":{"c~d":"new"}})");
}

TEST(JsonEdit, NewTextIsEscapedProperly) {
  auto edited = applyEdits(R"({"t":"x"})", {{"/t", "quote \" backslash \\ newline \n tab \t nul"}});
  ASSERT_TRUE(edited);
  EXPECT_EQ(json::parse(*edited)["t"], "quote \" backslash \\ newline \n tab \t nul");
}

TEST(JsonEdit, AllOrNothingWhenOnePointerIsWrong) {
  const std::string body = R"({"messages":[{"content":"secret"}]})";
  auto missing = applyEdits(body, {{"/messages/0/content", "x"}, {"/messages/5/content", "y"}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/messages/5/content"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("no such value"), std::string::npos);
}

TEST(JsonEdit, RefusesTargetsThatAreNeitherTextNorJson) {
  auto number = applyEdits(R"({"n":1})", {{"/n", "x"}});
  ASSERT_FALSE(number);
  EXPECT_NE(number.error().message.find("number, not a string, object or array"), std::string::npos)
      << number.error().message;
  EXPECT_FALSE(applyEdits(R"({"b":true})", {{"/b", "x"}}));
}

// An object or array is edited through its JSON text: the new text must be
// JSON of the same kind, or nothing changes.
TEST(JsonEdit, ObjectsAndArraysTakeTheirEditedJsonText) {
  auto object = applyEdits(R"({"m":[{"c":{"key":"AKIA1","n":1}}],"z":0})",
                           {{"/m/0/c", R"({"key":"[REDACTED:aws]","n":1})"}});
  ASSERT_TRUE(object) << object.error().message;
  EXPECT_EQ(*object, R"({"m":[{"c":{"key":"[REDACTED:aws]","n":1}}],"z":0})");
  auto array = applyEdits(R"({"a":["x","y"]})", {{"/a", R"(["x","[REDACTED:email]"])"}});
  ASSERT_TRUE(array) << array.error().message;
  EXPECT_EQ(*array, R"({"a":["x","[REDACTED:email]"]})");

  auto broken = applyEdits(R"({"m":[{"c":{"x":1}}]})", {{"/m/0/c", R"({"x":[REDACTED:secret]})"}});
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("the edited object is no longer JSON"), std::string::npos)
      << broken.error().message;
  auto changedKind = applyEdits(R"({"m":{"x":1}})", {{"/m", R"(["x"])"}});
  ASSERT_FALSE(changedKind);
  EXPECT_NE(changedKind.error().message.find("changes the object's structure"), std::string::npos)
      << changedKind.error().message;
}

// A mask that ran past the end of its string can leave valid JSON with
// members gone or changed: refused, never forwarded.
TEST(JsonEdit, AnEditThatChangesMoreThanTheTextOfStringsIsRefused) {
  const std::string body = R"({"input":{"cmd":"x --password 'abc","note":"it's here","n":[1,2]}})";
  for (const std::string& edited : {
           std::string(R"({"cmd":"x --password '[REDACTED:password]'s here","n":[1,2]})"),  // a member swallowed
           std::string(R"({"note":"it's here","cmd":"x","n":[1,2]})"),                      // reordered
           std::string(R"({"cmd":"x","note":"y","n":[1,3]})"),                               // a number changed
           std::string(R"({"cmd":"x","note":"y","n":[1]})"),                                 // an element gone
           std::string(R"({"cmd":"x","note":"y","m":[1,2]})"),                               // a key renamed
       }) {
    auto result = applyEdits(body, {{"/input", edited}});
    ASSERT_FALSE(result) << edited;
    EXPECT_NE(result.error().message.find("structure"), std::string::npos) << result.error().message;
  }
  auto masked = applyEdits(body, {{"/input", R"({"cmd":"x --password '[REDACTED:password]'","note":"it's here","n":[1,2]})"}});
  ASSERT_TRUE(masked) << masked.error().message;
  EXPECT_EQ(*masked, R"({"input":{"cmd":"x --password '[REDACTED:password]'","note":"it's here","n":[1,2]}})");
}

TEST(JsonEdit, RefusesBadPointers) {
  EXPECT_FALSE(applyEdits(R"({"a":"x"})", {{"a", "y"}}));         // no leading slash
  EXPECT_FALSE(applyEdits(R"({"a":["x"]})", {{"/a/one", "y"}}));  // not an index
  EXPECT_FALSE(applyEdits(R"({"a":["x"]})", {{"/a/-", "y"}}));    // past the end
  EXPECT_FALSE(applyEdits(R"({"a":["x"]})", {{"/a/01", "y"}}));   // leading zero
  EXPECT_FALSE(applyEdits(R"({"a":"x"})", {{"/a~2", "y"}}));      // bad escape
  EXPECT_FALSE(applyEdits(R"({"a":"x"})", {{"/a/b", "y"}}));      // below a string
}

TEST(JsonEdit, RefusesMalformedBodies) {
  auto broken = applyEdits(R"({"a":"x")", {{"/a", "y"}});
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(applyEdits("", {}));
  EXPECT_FALSE(applyEdits("{\"a\":\"\xff\"}", {}));
  EXPECT_FALSE(applyEdits(std::string(10000, '[') + std::string(10000, ']'), {}));
}

TEST(JsonEdit, RefusesInvalidUtf8Replacements) {
  auto edited = applyEdits(R"({"a":"x"})", {{"/a", "bad \xc3\x28 byte"}});
  ASSERT_FALSE(edited);
  EXPECT_NE(edited.error().message.find("UTF-8"), std::string::npos) << edited.error().message;
}

TEST(JsonEdit, PointersFromTheAdapterEditTheRightStrings) {
  // The round trip layers rely on: parse, pick a TextRef, edit through it.
  const std::string body = R"({"model":"gpt-4o","messages":[{"role":"system","content":"be nice"},)"
                           R"({"role":"user","content":[{"type":"text","text":"call 555-0100"}]}]})";
  Route chat;
  chat.provider = Provider::OpenAI;
  chat.operation = Operation::ChatCompletions;
  auto request = openAiAdapter().parseRequest(chat, body);
  ASSERT_TRUE(request) << request.error().message;
  const TextRef& ref = request->messages[1].parts[0].text;
  ASSERT_EQ(ref.text, "call 555-0100");
  auto edited = applyEdits(body, {{ref.pointer, "call [PHONE]"}});
  ASSERT_TRUE(edited) << edited.error().message;
  auto reparsed = openAiAdapter().parseRequest(chat, *edited);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->messages[1].parts[0].text.text, "call [PHONE]");
  EXPECT_EQ(reparsed->messages[0].parts[0].text.text, "be nice");
}

}  // namespace
}  // namespace warden::providers
