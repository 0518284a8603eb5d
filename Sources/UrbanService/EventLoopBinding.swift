import HummingbirdCore
import Logging
import NIOCore

/// Runs each connection's requests on the event loop that reads and writes its socket.
///
/// Hummingbird hands every connection to a task on Swift Concurrency's global executor, so by default each request
/// crosses threads twice: the event loop reads it and wakes a pool thread, which runs the route and wakes the event
/// loop again to write. For answers that take microseconds (a lookup from warm indexes) those wake-ups and context
/// switches were most of the cost. Here the connection's task prefers an executor that is its own channel's event loop
/// (SE-0417 task executor preference): reading, routing and writing stay on one thread, and child tasks inherit the
/// preference. Database reads still run on `DatabasePool`'s threads; only their resumption comes back here.
///
/// (Installing the event loops as the *global* executor was measured at half the rate: tasks then land on any loop,
/// not the connection's.)
struct EventLoopBoundChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// An event loop as a task executor: each job runs as a task on the loop's thread, in order.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {  // immutable; EventLoop is thread-safe
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
