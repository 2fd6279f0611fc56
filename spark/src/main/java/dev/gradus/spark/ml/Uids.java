package dev.gradus.spark.ml;

/**
 * Spark's Scala parameter traits read {@code uid()} while the superclass constructor runs,
 * before a Java subclass can assign its fields. A constructor parks its uid here for that
 * moment: {@code this(Uids.hold(uid), …)}, and {@code uid()} falls back to {@link #held()}.
 */
final class Uids {
    private Uids() {}

    private static final ThreadLocal<String> HELD = new ThreadLocal<>();

    static String hold(String uid) {
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("uid must be a non-empty string, got '" + uid + "'");
        }
        HELD.set(uid);
        return uid;
    }

    static String held() {
        return HELD.get();
    }

    static void release() {
        HELD.remove();
    }
}
