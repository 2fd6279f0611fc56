package dev.gradus.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * All trainable numbers of a network in one flat {@code float[]}, in the order
 * {@code W⁰, b⁰, W¹, b¹, …, Wⁿ, bⁿ}, each {@code Wᵐ} row-major with shape
 * {@code [outputs, inputs]}.
 *
 * <p>Gradients and optimizer state use the same layout ({@link #zerosLike()}), so an optimizer
 * is one loop over {@link #values()} and a distributed sum ships one array. The array is
 * mutable: trainers update it in place.
 */
public final class Parameters {

    /**
     * A named slice of the flat array: {@code layers.{m}.weight} ({@code rows × cols}) or
     * {@code layers.{m}.bias} ({@code rows × 1}).
     */
    public record View(String name, int offset, int rows, int cols) {
        /** The number of floats in this view. */
        public int size() {
            return rows * cols;
        }
    }

    private final List<View> views;
    private final float[] values;

    private Parameters(List<View> views, float[] values) {
        this.views = views;
        this.values = values;
    }

    /**
     * Zeros laid out for layers of the given {@code [outputs, inputs]} shapes.
     *
     * @param shapes one {@code {outputs, inputs}} pair per layer {@code m = 0..n}
     */
    public static Parameters zeros(List<int[]> shapes) {
        long total = 0;
        for (int m = 0; m < shapes.size(); m++) {
            int[] shape = shapes.get(m);
            if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
                throw new IllegalArgumentException("layer " + m + ": shape must be {outputs, inputs}, both positive, got "
                        + Arrays.toString(shape));
            }
            total += (long) shape[0] * shape[1] + shape[0];
        }
        checkSize(total);
        List<View> views = new ArrayList<>();
        int offset = 0;
        for (int m = 0; m < shapes.size(); m++) {
            int out = shapes.get(m)[0];
            int in = shapes.get(m)[1];
            views.add(new View("layers." + m + ".weight", offset, out, in));
            offset += out * in;
            views.add(new View("layers." + m + ".bias", offset, out, 1));
            offset += out;
        }
        return new Parameters(Collections.unmodifiableList(views), new float[offset]);
    }

    private static void checkSize(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("network has " + size + " parameters; at most "
                    + (Integer.MAX_VALUE - 8) + " fit in one array");
        }
    }

    /** Zeros with this layout (for gradients and optimizer state). */
    public Parameters zerosLike() {
        return new Parameters(views, new float[values.length]);
    }

    /** A deep copy. */
    public Parameters copy() {
        return new Parameters(views, values.clone());
    }

    /** A copy of this layout holding {@code values} (copied). */
    public Parameters withValues(float[] newValues) {
        if (newValues.length != values.length) {
            throw new IllegalArgumentException("expected " + values.length + " parameter values, got "
                    + newValues.length);
        }
        return new Parameters(views, newValues.clone());
    }

    /** The flat array, shared: writes change these parameters. */
    public float[] values() {
        return values;
    }

    /** The total number of parameters. */
    public int size() {
        return values.length;
    }

    /** The number of layers {@code n + 1}. */
    public int layerCount() {
        return views.size() / 2;
    }

    /** All views, in storage order. */
    public List<View> views() {
        return views;
    }

    /** The view {@code layers.{m}.weight}. */
    public View weightView(int m) {
        return views.get(2 * checkLayer(m));
    }

    /** The view {@code layers.{m}.bias}. */
    public View biasView(int m) {
        return views.get(2 * checkLayer(m) + 1);
    }

    /** {@code Wᵐ} as a {@code [outputs, inputs]} matrix view into {@link #values()}. */
    public Matrix weights(int m) {
        View v = weightView(m);
        return Matrix.view(v.rows(), v.cols(), values, v.offset());
    }

    /** {@code bᵐ} as a {@code [1, outputs]} matrix view into {@link #values()}. */
    public Matrix bias(int m) {
        View v = biasView(m);
        return Matrix.view(1, v.rows(), values, v.offset());
    }

    private int checkLayer(int m) {
        if (m < 0 || m >= layerCount()) {
            throw new IndexOutOfBoundsException("layer " + m + " outside layers 0.." + (layerCount() - 1));
        }
        return m;
    }

    /** True when both hold the same layout and bit-identical values. */
    public boolean sameAs(Parameters other) {
        return views.equals(other.views) && Arrays.equals(values, other.values);
    }

    @Override
    public String toString() {
        return "Parameters[" + values.length + " in " + layerCount() + " layers]";
    }
}
