#pragma once
/// @file
/// A device session's log, CSM's `session.log`: everything received from the device and
/// everything sent to it, in order, with every secret replaced by `***`.
///
/// Format (text, one stream):
///   --- 2024-05-01T10:00:00Z connecting to ssh://cisco@198.18.1.2:22     (an event)
///   RP/0/RP0/CPU0:r1#                                                    (received, verbatim)
///   >>> show version                                                     (a line sent)
///   show version                                                         (its echo, received)
///   Cisco IOS XR Software, Version 6.1.3 ...
/// Received text is written as it arrives, without CR, NUL and terminal escape sequences. A sent
/// line and an event begin on a line of their own.
///
/// Secrets: the plan's passwords and its enable password (DeviceConnector::Connect adds them),
/// and whatever the job engine adds (a repository password typed at a `Password:` question). A
/// secret is replaced wherever it occurs, in what is sent as in what is received, also when the
/// device's output splits it across reads: received text whose end could begin a secret is held
/// back until the next chunk tells (or until something is sent, an event is noted or Flush()).
/// Every occurrence is masked, also where it is ordinary text: with the password `cisco`,
/// `cisco IOS XRv` is logged `*** IOS XRv`. Safe over readable.
///
/// Writing never blocks the session: Append-type calls only add to a buffer under a mutex; a
/// job posted to the blocking pool given at construction appends the buffer to the file
/// (O_APPEND, one write(2) per batch), one job at a time, so the file keeps the order. Flush()
/// awaits the writes (the job engine calls it before it zips the logs). Without a file the
/// transcript is kept in memory (Text()).
///
/// Thread safe; cheap to call from a session's strand.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/asio.hpp"

namespace escd::orchestrator::csm {

class Transcript {
  public:
    /// In memory only (tests, a discovery that keeps no log).
    Transcript();
    /// Appended to `file` (created 0640 when missing) by jobs on `pool`, a pool for blocking
    /// work that outlives this transcript's last write.
    Transcript(asio::thread_pool& pool, std::filesystem::path file);
    /// Writes what is held back; the last write completes on the pool after this returns.
    ~Transcript();
    Transcript(const Transcript&) = delete;
    Transcript& operator=(const Transcript&) = delete;

    /// From now on `secret` is written as `***` (empty strings are ignored).
    void AddSecret(std::string_view secret);
    /// Bytes from the device, as read.
    void Received(std::string_view bytes);
    /// A line sent to the device (without its line end).
    void Sent(std::string_view line);
    /// An event: connecting, the host key, a failure, closing.
    void Note(std::string_view event);

    /// Everything logged so far (memory-only transcripts; "" for a file's).
    std::string Text() const;
    /// Writes what is held back and waits until everything logged so far is in the file.
    asio::awaitable<void> Flush();

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace escd::orchestrator::csm
