package io.cortex4j.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of the CPU backend's split ops: daemon threads that, after a task, keep polling
 * for the next one for a short while (yielding the core to any other runnable thread, such as
 * OpenBLAS's) before they park. An Euler step issues its split ops back to back, so a task mostly
 * finds its worker still polling and starts within microseconds; waking a parked thread costs tens
 * of microseconds on a virtual machine, as much as a small op itself.
 *
 * <p>One caller at a time: {@link #tryAcquire} hands the pool to one op; a second backend stepping
 * in another thread at the same moment runs its op in its own thread instead.
 */
final class SpinPool {
    /** How long an idle worker polls before it parks ({@code cortex4j.cpu.pollMicros}, default 50 µs). */
    private static final long POLL_NANOS = 1000L * Long.getLong("cortex4j.cpu.pollMicros", 50L);

    private static final SpinPool SHARED = new SpinPool();

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Worker[] workers = new Worker[0];

    static SpinPool shared() {
        return SHARED;
    }

    /** Takes the pool for one op and makes sure it has at least n workers; false if another op holds it. */
    boolean tryAcquire(int n) {
        if (!busy.compareAndSet(false, true)) return false;
        if (workers.length < n) grow(n);
        return true;
    }

    void release() {
        busy.set(false);
    }

    private synchronized void grow(int n) {
        Worker[] w = java.util.Arrays.copyOf(workers, n);
        for (int i = workers.length; i < n; i++) {
            w[i] = new Worker(i);
            w[i].start();
        }
        workers = w;
    }

    /** Starts {@code task} on worker i (the pool must be held). */
    void start(int i, Runnable task) {
        Worker w = workers[i];
        w.error = null;
        w.done = false;
        w.task = task;
        if (w.parked) LockSupport.unpark(w);
    }

    /** Waits for worker i's task and returns what it threw, or null. */
    Throwable await(int i) {
        Worker w = workers[i];
        long spins = 0;
        while (!w.done) {
            if (++spins < 2000) Thread.onSpinWait();
            else Thread.yield();
        }
        return w.error;
    }

    private static final class Worker extends Thread {
        volatile Runnable task;
        volatile boolean done = true;
        volatile boolean parked;
        volatile Throwable error;

        Worker(int i) {
            super("cortex4j-cpu-worker-" + i);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Runnable r = task;
                if (r == null) {
                    long start = System.nanoTime();
                    long spins = 0;
                    while ((r = task) == null && System.nanoTime() - start < POLL_NANOS) {
                        if (++spins < 200) Thread.onSpinWait();
                        else Thread.yield();
                    }
                    if (r == null) {
                        parked = true;
                        while ((r = task) == null) LockSupport.park(this);
                        parked = false;
                    }
                }
                task = null;
                try {
                    r.run();
                } catch (Throwable t) {
                    error = t;
                }
                done = true;
            }
        }
    }
}
