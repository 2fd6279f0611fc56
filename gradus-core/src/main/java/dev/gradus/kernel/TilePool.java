package dev.gradus.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Daemon worker threads, shared by every {@link Kernels} of the JVM, that compute the tiles of
 * one product together with the calling thread.
 *
 * <p>A product is cut into rectangles of {@code C} (its tiles); the caller and the workers claim
 * tiles from one counter until none are left. Each tile is a whole {@link TiledGemm} product on
 * its rectangle, so who computes which tile changes no bit of the result. While another thread
 * holds the pool, a caller simply computes all tiles itself.
 *
 * <p>The job's fields are written by the caller before the volatile {@code generation} write
 * and read by the workers after reading it; a worker's writes to {@code C} happen before its
 * increment of {@code done}, which the caller reads before returning. Nothing is allocated per
 * product: the job lives in the pool's fields.
 */
final class TilePool {
    /** How long an idle worker spins before it parks: a handover costs ~1 µs spinning, ~10–30 µs parked. */
    private static final long SPIN_NANOS = 50_000;

    static final TilePool SHARED = new TilePool();

    private final ReentrantLock lock = new ReentrantLock();
    private Worker[] workers = new Worker[0];

    // The current job (valid while lock is held).
    private int engine;
    private int op;
    private float[] c;
    private float[] a;
    private float[] b;
    private int cOff;
    private int aOff;
    private int bOff;
    private boolean bPacked;
    private Epilogue epilogue;
    private int m;
    private int n;
    private int k;
    private boolean byColumns;
    private int tileSize;
    private int tiles;
    private int helpers;
    private volatile Throwable failure;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile int generation;

    private TilePool() {}

    /**
     * Computes {@code C = op(A)·op(B)} as {@code tiles} rectangles (column strips when
     * {@code byColumns}, else row strips, each {@code tileSize} wide) with up to
     * {@code executors} threads including the caller. Returns false, having done nothing, when
     * the pool is busy with another caller.
     */
    boolean tryRun(int executors, int engine, int op, float[] c, int cOff, float[] a, int aOff, float[] b,
                   int bOff, boolean bPacked, int m, int n, int k, boolean byColumns, int tileSize, int tiles,
                   Epilogue epilogue) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            int helperCount = Math.min(executors, tiles) - 1;
            ensureWorkers(helperCount);
            this.engine = engine;
            this.op = op;
            this.c = c;
            this.cOff = cOff;
            this.a = a;
            this.aOff = aOff;
            this.b = b;
            this.bOff = bOff;
            this.bPacked = bPacked;
            this.epilogue = epilogue;
            this.m = m;
            this.n = n;
            this.k = k;
            this.byColumns = byColumns;
            this.tileSize = tileSize;
            this.tiles = tiles;
            this.helpers = helperCount;
            this.failure = null;
            // done before next: a worker still looping from the previous job may claim a tile
            // of this one as soon as next is 0, and its increment of done must not be erased.
            done.set(0);
            next.set(0);
            generation++;                       // publishes the job
            for (int w = 0; w < helperCount; w++) {
                LockSupport.unpark(workers[w].thread);
            }
            claimTiles(Scratch.ofCurrentThread());
            int spins = 0;
            while (done.get() < tiles) {
                if (++spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            this.c = null;
            this.a = null;
            this.b = null;
            this.epilogue = null;
            Throwable t = failure;
            if (t != null) {
                if (t instanceof RuntimeException e) {
                    throw e;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(t);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void claimTiles(Scratch scratch) {
        int t;
        while ((t = next.getAndIncrement()) < tiles) {
            try {
                int lo = t * tileSize;
                if (byColumns) {
                    TiledGemm.multiply(engine, op, c, cOff, a, aOff, b, bOff, bPacked, m, n, k, 0, m, lo,
                            Math.min(n, lo + tileSize), epilogue, scratch);
                } else {
                    TiledGemm.multiply(engine, op, c, cOff, a, aOff, b, bOff, bPacked, m, n, k, lo,
                            Math.min(m, lo + tileSize), 0, n, epilogue, scratch);
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void ensureWorkers(int count) {
        if (workers.length >= count) {
            return;
        }
        Worker[] grown = java.util.Arrays.copyOf(workers, count);
        for (int w = workers.length; w < count; w++) {
            grown[w] = new Worker(w, generation);
            grown[w].thread.start();
        }
        workers = grown;
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        final Scratch scratch = new Scratch();
        int seen;

        Worker(int index, int generation) {
            this.index = index;
            this.seen = generation;
            this.thread = new Thread(this, "gradus-kernel-" + (index + 1));
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                int g;
                while ((g = generation) == seen) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = g;
                if (index < helpers) {
                    claimTiles(scratch);
                }
            }
        }
    }
}
