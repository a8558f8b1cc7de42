package io.cortex4j.tensor;

/** Element type of a tensor. float32 is the default everywhere; float64 is for reference checks. */
public enum DType {
    FLOAT32(4),
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Parses "float32"/"float64" (also "f32", "f64", "single", "double"). */
    public static DType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "float32", "f32", "float", "single" -> FLOAT32;
            case "float64", "f64", "double" -> FLOAT64;
            default -> throw new IllegalArgumentException("unknown precision '" + s + "' (use float32 or float64)");
        };
    }
}
