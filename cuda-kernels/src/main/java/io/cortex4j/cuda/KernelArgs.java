package io.cortex4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The argument block of a kernel launch: cuLaunchKernel takes an array of pointers, one per
 * parameter, each pointing at the parameter's value. Values live in the given arena, which must
 * outlive the launch (and, for a captured graph, the capture: the values are copied into the graph
 * when it is captured).
 */
public final class KernelArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    public KernelArgs(Arena arena) {
        this.arena = arena;
    }

    /** A device pointer. */
    public KernelArgs ptr(long devicePointer) {
        values.add(arena.allocateFrom(JAVA_LONG, devicePointer));
        return this;
    }

    public KernelArgs i32(int v) {
        values.add(arena.allocateFrom(JAVA_INT, v));
        return this;
    }

    public KernelArgs i64(long v) {
        values.add(arena.allocateFrom(JAVA_LONG, v));
        return this;
    }

    public KernelArgs f32(float v) {
        values.add(arena.allocateFrom(JAVA_FLOAT, v));
        return this;
    }

    public KernelArgs f64(double v) {
        values.add(arena.allocateFrom(JAVA_DOUBLE, v));
        return this;
    }

    public int size() {
        return values.size();
    }

    /** The array of pointers to the values, for {@link CudaDriver#launch}. */
    public MemorySegment pointers() {
        MemorySegment p = arena.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) p.setAtIndex(ADDRESS, i, values.get(i));
        return p;
    }
}
