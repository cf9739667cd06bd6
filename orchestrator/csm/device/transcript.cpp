#include "orchestrator/csm/device/transcript.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

#include "common/log.hpp"
#include "common/offload.hpp"
#include "orchestrator/csm/device/cli_text.hpp"

namespace escd::orchestrator::csm {
namespace {

constexpr std::string_view kMask = "***";

std::string TranscriptTime() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

struct Transcript::State : std::enable_shared_from_this<State> {
    ~State() {
        if (fd >= 0) ::close(fd);
    }

    // What the stream shows of `text` with every secret masked. With `hold`, a tail of `text`
    // that could be the beginning of a secret goes to `held` instead (it is received text,
    // which the next chunk continues).
    std::string Mask(std::string_view text, bool hold) {
        std::string shown;
        shown.reserve(text.size());
        std::size_t i = 0;
        while (i < text.size()) {
            bool masked = false;
            for (const auto& secret : secrets) {  // longest first
                if (text.compare(i, secret.size(), secret) == 0) {
                    shown += kMask;
                    i += secret.size();
                    masked = true;
                    break;
                }
            }
            if (masked) continue;
            if (hold && BeginsSecret(text.substr(i))) {
                held = std::string(text.substr(i));
                break;
            }
            shown.push_back(text[i++]);
        }
        return shown;
    }

    // Whether `rest` (the end of the text) is a proper beginning of a secret.
    bool BeginsSecret(std::string_view rest) const {
        return std::any_of(secrets.begin(), secrets.end(), [rest](const std::string& secret) {
            return rest.size() < secret.size() && secret.compare(0, rest.size(), rest) == 0;
        });
    }

    // Received text held back is written as it is once something else interrupts it: a secret
    // cannot continue across a line escd sends.
    void ReleaseHeld() {
        if (held.empty()) return;
        std::string text;
        text.swap(held);
        Emit(Mask(text, false));
    }

    void StartLine() {
        if (!at_line_start) Emit("\n");
    }

    void Emit(std::string_view text) {
        if (text.empty()) return;
        at_line_start = text.back() == '\n';
        if (!pool) {
            memory += text;
            return;
        }
        pending += text;
        if (!write_scheduled) {
            write_scheduled = true;
            asio::post(*pool, [self = shared_from_this()] { self->WriteOut(); });
        }
    }

    // On the pool: appends what is pending, batch after batch, until nothing is. One writer at
    // a time (a posted job or Flush), so batches reach the file in order.
    void WriteOut() {
        std::lock_guard write_lock(write_mutex);
        for (;;) {
            std::string batch;
            {
                std::lock_guard lock(mutex);
                batch.swap(pending);
                if (batch.empty()) {
                    write_scheduled = false;
                    return;
                }
            }
            WriteAll(batch);
        }
    }

    void WriteAll(std::string_view batch) {
        if (fd < 0 && !failed) {
            fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
            if (fd < 0) {
                failed = true;
                ESCD_WARN("csm") << "session log " << file.string()
                                 << " cannot be written: " << std::strerror(errno);
            }
        }
        while (fd >= 0 && !batch.empty()) {
            const auto written = ::write(fd, batch.data(), batch.size());
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) {
                ESCD_WARN("csm") << "session log " << file.string()
                                 << " write failed: " << std::strerror(errno);
                return;
            }
            batch.remove_prefix(static_cast<std::size_t>(written));
        }
    }

    std::mutex mutex;  // everything below but the file
    std::vector<std::string> secrets;
    cli::TerminalText terminal;
    std::string held;
    bool at_line_start = true;
    std::string memory;
    std::string pending;
    bool write_scheduled = false;

    asio::thread_pool* pool = nullptr;
    std::filesystem::path file;
    std::mutex write_mutex;  // the file, its descriptor
    int fd = -1;
    bool failed = false;
};

Transcript::Transcript() : state_(std::make_shared<State>()) {}

Transcript::Transcript(asio::thread_pool& pool, std::filesystem::path file) : Transcript() {
    state_->pool = &pool;
    state_->file = std::move(file);
}

Transcript::~Transcript() {
    std::lock_guard lock(state_->mutex);
    state_->ReleaseHeld();
}

void Transcript::AddSecret(std::string_view secret) {
    if (secret.empty()) return;
    std::lock_guard lock(state_->mutex);
    auto& secrets = state_->secrets;
    if (std::find(secrets.begin(), secrets.end(), secret) != secrets.end()) return;
    secrets.emplace_back(secret);
    // Longest first: of two secrets where one contains the other, the whole is masked.
    std::stable_sort(
        secrets.begin(), secrets.end(),
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Transcript::Received(std::string_view bytes) {
    std::lock_guard lock(state_->mutex);
    auto& state = *state_;
    std::string text = state.held;
    state.held.clear();
    text += state.terminal.Clean(bytes);
    state.Emit(state.Mask(text, true));
}

void Transcript::Sent(std::string_view line) {
    std::lock_guard lock(state_->mutex);
    auto& state = *state_;
    state.ReleaseHeld();
    state.StartLine();
    state.Emit(">>> " + state.Mask(line, false) + "\n");
}

void Transcript::Note(std::string_view event) {
    std::lock_guard lock(state_->mutex);
    auto& state = *state_;
    state.ReleaseHeld();
    state.StartLine();
    state.Emit("--- " + TranscriptTime() + " " + state.Mask(event, false) + "\n");
}

std::string Transcript::Text() const {
    std::lock_guard lock(state_->mutex);
    return state_->memory;
}

asio::awaitable<void> Transcript::Flush() {
    State* state = state_.get();
    {
        std::lock_guard lock(state->mutex);
        state->ReleaseHeld();
        if (!state->pool) co_return;
    }
    co_await Offload(*state->pool, [state] { state->WriteOut(); });
}

}  // namespace escd::orchestrator::csm
