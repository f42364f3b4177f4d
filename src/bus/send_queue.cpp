#include "bus/send_queue.hpp"

#include <iterator>

#include "openedx_events/logging.hpp"

namespace openedx_events::bus::detail {

SendQueue::SendQueue(WriteBatch write, std::size_t max_batch, std::size_t max_queued)
    : write_(std::move(write)), max_batch_(max_batch), max_queued_(max_queued), writer_([this] { run(); }) {}

SendQueue::~SendQueue() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  writer_.join();  // the writer empties the queue first
}

void SendQueue::push(QueuedEvent event) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < max_queued_; });
  queue_.push_back(std::move(event));
  lock.unlock();
  changed_.notify_all();
}

void SendQueue::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void SendQueue::run() {
  std::vector<QueuedEvent> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      writing_ = false;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_batch_));
      batch.clear();
      batch.insert(batch.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
      writing_ = true;
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
