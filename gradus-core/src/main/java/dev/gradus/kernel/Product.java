package dev.gradus.kernel;

/**
 * The three products, as int codes so that kernels dispatch with a {@code switch} (no lambdas,
 * no interfaces on the hot path), and the element accessors that define them.
 *
 * <p>{@code C[m×n] = op(A)·op(B)}, summed over {@code p = 0..k-1}:
 * <ul>
 *   <li>{@link #ABT}: {@code A} is {@code m×k}, {@code B} is {@code n×k}: {@code A(i,p) = a[i·k+p]}, {@code B(p,j) = b[j·k+p]};</li>
 *   <li>{@link #ATB}: {@code A} is {@code k×m}, {@code B} is {@code k×n}: {@code A(i,p) = a[p·m+i]}, {@code B(p,j) = b[p·n+j]};</li>
 *   <li>{@link #AB}: {@code A} is {@code m×k}, {@code B} is {@code k×n}: {@code A(i,p) = a[i·k+p]}, {@code B(p,j) = b[p·n+j]}.</li>
 * </ul>
 */
final class Product {
    static final int ABT = 0;
    static final int ATB = 1;
    static final int AB = 2;

    private Product() {}

    /** True when {@code A} is stored {@code k×m} (its rows are the sum index). */
    static boolean aTransposed(int op) {
        return op == ATB;
    }

    /** True when {@code B} is stored {@code n×k} (its rows are the output columns). */
    static boolean bTransposed(int op) {
        return op == ABT;
    }

    static String name(int op) {
        return switch (op) {
            case ABT -> "abt";
            case ATB -> "atb";
            case AB -> "ab";
            default -> throw new IllegalArgumentException("unknown product " + op);
        };
    }
}
