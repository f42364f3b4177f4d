#include "bus/send_queue.hpp"

#include <iterator>

#include "openedx_events/logging.hpp"

namespace openedx_events::bus::detail {

SendQueue::SendQueue(WriteBatch write, GiveUp give_up, std::size_t max_batch, std::size_t max_queued)
    : write_(std::move(write)),
      give_up_(std::move(give_up)),
      max_batch_(max_batch),
      max_queued_(max_queued),
      writer_([this] { run(); }) {}

SendQueue::~SendQueue() {
  // The owner closes with its shutdown timeout first; this is the net for a queue never closed.
  close(std::chrono::hours(24 * 365));
}

bool SendQueue::push(QueuedEvent event) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < max_queued_ || closing_; });
  if (closing_) return false;
  queue_.push_back(std::move(event));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SendQueue::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && in_hand_ == 0) || closed_; });
}

std::size_t SendQueue::depth() {
  const std::lock_guard lock(mutex_);
  return queue_.size() + in_hand_;
}

void SendQueue::close(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (closing_) {
    changed_.wait(lock, [&] { return closed_; });
    return;
  }
  closing_ = true;
  changed_.notify_all();  // wakes blocked pushers (refused) and the writer
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  changed_.wait_until(lock, deadline, [&] { return queue_.empty() && in_hand_ == 0; });
  abandoning_ = true;
  std::vector<QueuedEvent> abandoned(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  changed_.notify_all();
  lock.unlock();
  if (!abandoned.empty()) give_up_(abandoned);
  writer_.join();
  lock.lock();
  closed_ = true;
  changed_.notify_all();
}

bool SendQueue::wait_before_retry(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [&] { return abandoning_; });
}

void SendQueue::run() {
  std::vector<QueuedEvent> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      in_hand_ = 0;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and nothing left to write
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_batch_));
      batch.clear();
      batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
      in_hand_ = batch.size();
    }
    changed_.notify_all();  // room for blocked senders
    try {
      write_(batch);
    } catch (const std::exception& e) {
      // write_ logs its own failures; this is a bug net so that the writer never dies.
      logger().error("Event bus writer thread: {} events not written: {}", batch.size(), e.what());
    }
  }
}

}  // namespace openedx_events::bus::detail
