#include "identity/socket_owner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopback_connection.h"

namespace warden::identity {
namespace {

using testing::LoopbackConnection;

uint64_t inodeOfFd(int fd) {
  struct stat st {};
  ::fstat(fd, &st);
  return st.st_ino;
}

void expectOwnedByUs(const LoopbackConnection& connection) {
  ASSERT_TRUE(connection.ok());
  auto owner = findSocketOwner(connection.clientLocal(), connection.clientRemote());
  ASSERT_TRUE(owner.ok()) << owner.error().message;
  EXPECT_EQ(owner->uid, ::getuid());
  EXPECT_EQ(owner->inode, inodeOfFd(connection.clientFd()));
  EXPECT_EQ(owner->tgid, static_cast<uint32_t>(::getpid())) << owner->note;
  EXPECT_TRUE(owner->note.empty()) << owner->note;
}

TEST(SocketOwner, FindsOwnIpv4Connection) { expectOwnedByUs(LoopbackConnection(AF_INET, "127.0.0.1", AF_INET)); }

TEST(SocketOwner, FindsOwnIpv6Connection) { expectOwnedByUs(LoopbackConnection(AF_INET6, "::1", AF_INET6)); }

TEST(SocketOwner, FindsDualStackSocketByItsV4MappedAddresses) {
  LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET6);
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE(connection.clientLocal().isV4Mapped());
  expectOwnedByUs(connection);
}

TEST(SocketOwner, TellsTheTwoEndsApart) {
  LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(connection.ok());
  // The accepted side is the same 4-tuple reversed.
  auto server = querySocketDiag(connection.clientRemote(), connection.clientLocal());
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_EQ(server->inode, inodeOfFd(connection.serverFd()));
  EXPECT_NE(server->inode, inodeOfFd(connection.clientFd()));
}

TEST(SocketOwner, UnknownConnectionIsAnErrorThatSaysSo) {
  LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(connection.ok());
  Endpoint wrongPort = connection.clientRemote();
  wrongPort.port = static_cast<uint16_t>(wrongPort.port == 1 ? 2 : 1);
  auto owner = findSocketOwner(connection.clientLocal(), wrongPort);
  ASSERT_FALSE(owner.ok());
  EXPECT_NE(owner.error().message.find("no such connection"), std::string::npos) << owner.error().message;
}

TEST(SocketOwner, ProcessScanIsBounded) {
  LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(connection.ok());
  SocketOwnerOptions options;
  options.maxFdsScanned = 0;
  auto search = findSocketProcess(inodeOfFd(connection.clientFd()), ::getuid(), options);
  EXPECT_EQ(search.tgid, 0u);
  EXPECT_NE(search.note.find("gave up"), std::string::npos) << search.note;
}

TEST(SocketOwner, ClosedSocketHasNoProcess) {
  auto search = findSocketProcess(0xfffffffffffull, ::getuid());
  EXPECT_EQ(search.tgid, 0u);
  EXPECT_NE(search.note.find("no process holds"), std::string::npos) << search.note;
}

}  // namespace
}  // namespace warden::identity
