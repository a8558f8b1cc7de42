package io.cortex4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes single arrays in NumPy's {@code .npy} format
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), without dependencies.
 *
 * <p><b>Writing</b> produces format version 1.0, little-endian, C order, laid out exactly as
 * {@code numpy.save} lays it out: the magic {@code \x93NUMPY}, version bytes {@code 1 0}, a
 * little-endian {@code uint16} header length, then the header, a Python dict literal such as
 * <pre>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</pre>
 * padded with spaces and terminated by {@code '\n'} so that the data starts at a multiple of 64
 * bytes (NumPy also leaves 21 - len(str(shape[0])) spare spaces for in-place growth; so do we).
 *
 * <p><b>Reading</b> accepts versions 1.0, 2.0 and 3.0 headers, C order only, and the dtypes
 * {@code f4 f8 i1 i2 i4 i8 u1 u2 u4 b1} in either byte order ({@code <}, {@code >}, {@code |} for
 * one-byte types, {@code =} for native). Values are converted to {@code double} (exactly, except
 * for {@code int64} magnitudes beyond 2<sup>53</sup>). Malformed input, a Fortran-order array, an
 * unsupported dtype and truncated data are reported as {@link IOException}s with a message saying
 * which.
 *
 * <p>Neither method closes the stream; {@link #read} consumes exactly one array, so arrays written
 * back to back can be read back one after another.
 */
public final class Npy {

    /** The six magic bytes that start every NPY file. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Data offset alignment required by the format. */
    static final int ALIGN = 64;

    /** Spare header space NumPy reserves for the digits of a growing first dimension. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final int CHUNK = 1 << 16;

    private Npy() {}

    // ------------------------------------------------------------------------------ writing

    /**
     * Writes an array as NPY version 1.0, C order, little-endian float32 ({@code <f4}) or float64
     * ({@code <f8}).
     *
     * @param out     destination; not closed
     * @param data    the elements in C order
     * @param shape   the dimensions; empty for a scalar
     * @param float32 {@code true} to store {@code <f4} (values rounded to {@code float}),
     *                {@code false} for {@code <f8}
     * @throws IllegalArgumentException if {@code data.length} does not match the shape
     */
    public static void write(OutputStream out, double[] data, long[] shape, boolean float32) throws IOException {
        write(out, new NpyArray(float32 ? "<f4" : "<f8", shape, false, data));
    }

    /**
     * Writes an array as NPY version 1.0, C order, in its dtype made little-endian (so {@code >f8}
     * is written as {@code <f8}).
     *
     * @param out   destination; not closed
     * @param array the array
     * @throws IllegalArgumentException if an element cannot be represented in an integer or bool
     *                                  dtype (not integral, or out of range)
     */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        Objects.requireNonNull(out, "out");
        Dtype dtype = Dtype.parse(array.dtype()).littleEndian();
        out.write(header(dtype.descr(), array.shape()));
        double[] data = array.data();
        int perChunk = CHUNK / dtype.size;
        ByteBuffer buf = ByteBuffer.allocate(perChunk * dtype.size).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < data.length; start += perChunk) {
            int end = Math.min(data.length, start + perChunk);
            buf.clear();
            for (int i = start; i < end; i++) {
                dtype.put(buf, data[i], i);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /**
     * The complete version 1.0 preamble (magic, version, header length, padded header) for an
     * array of the given descriptor and shape, C order.
     */
    static byte[] header(String descr, long[] shape) {
        StringBuilder h = new StringBuilder(128);
        h.append("{'descr': '")
                .append(descr)
                .append("', 'fortran_order': False, 'shape': ")
                .append(shapeRepr(shape))
                .append(", }");
        if (shape.length > 0) {
            h.append(" "
                    .repeat(Math.max(
                            0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int hlen = h.length() + 1; // with the final newline
        int pad = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN); // numpy pads a full 64 if aligned
        h.append(" ".repeat(pad)).append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException("NPY 1.0 header too long: " + text.length + " bytes");
        }
        byte[] all = new byte[MAGIC.length + 4 + text.length];
        System.arraycopy(MAGIC, 0, all, 0, MAGIC.length);
        all[6] = 1; // major version
        all[7] = 0; // minor version
        all[8] = (byte) text.length;
        all[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, all, 10, text.length);
        return all;
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    static String shapeRepr(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(shape[i]);
        }
        return s.append(')').toString();
    }

    // ------------------------------------------------------------------------------ reading

    /**
     * Reads one array.
     *
     * @param in source, positioned at the magic string; not closed; left just after the array
     * @return the array, with the dtype descriptor as found in the file
     * @throws IOException if the input is not NPY, uses an unsupported version, Fortran order or
     *                     dtype, has a malformed header, or ends before all the data
     */
    public static NpyArray read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
            throw new IOException("not an NPY file: missing the \\x93NUMPY magic string");
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        long headerLen;
        if (major == 1) {
            byte[] b = readFully(in, 2, "header length");
            headerLen = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] b = readFully(in, 4, "header length");
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
        } else {
            throw new IOException("unsupported NPY format version " + major + "." + minor);
        }
        if (headerLen > 1 << 24) {
            throw new IOException("implausible NPY header length " + headerLen);
        }
        byte[] hb = readFully(in, (int) headerLen, "header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        Map<String, Object> dict = parseHeader(header);
        Object descrObj = dict.get("descr");
        Object fortranObj = dict.get("fortran_order");
        Object shapeObj = dict.get("shape");
        if (!(descrObj instanceof String descr)) {
            throw new IOException("unsupported dtype " + pyRepr(descrObj) + " (structured or missing); supported: "
                    + Dtype.SUPPORTED);
        }
        if (!(fortranObj instanceof Boolean fortran)) {
            throw new IOException("NPY header lacks a boolean 'fortran_order': " + header.strip());
        }
        if (fortran) {
            throw new IOException(
                    "Fortran-order (column-major) arrays are not supported; " + "save with numpy.ascontiguousarray(a)");
        }
        if (!(shapeObj instanceof List<?> dims)) {
            throw new IOException("NPY header lacks a tuple 'shape': " + header.strip());
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw new IOException("bad dimension in shape " + pyRepr(shapeObj));
            }
            shape[i] = d;
        }
        Dtype dtype;
        try {
            dtype = Dtype.parse(descr);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        long count;
        try {
            count = NpyArray.elementCount(shape);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }

        double[] data = new double[(int) count];
        int perChunk = CHUNK / dtype.size;
        byte[] chunk = new byte[perChunk * dtype.size];
        ByteBuffer buf = ByteBuffer.wrap(chunk).order(dtype.order);
        long expectedBytes = count * dtype.size;
        for (int start = 0; start < data.length; start += perChunk) {
            int n = Math.min(perChunk, data.length - start);
            int want = n * dtype.size;
            int got = in.readNBytes(chunk, 0, want);
            if (got < want) {
                long have = (long) start * dtype.size + got;
                throw new IOException("truncated NPY data: expected " + expectedBytes + " bytes for shape "
                        + shapeRepr(shape) + " of " + descr + ", got only " + have);
            }
            buf.clear();
            for (int i = 0; i < n; i++) {
                data[start + i] = dtype.get(buf);
            }
        }
        return new NpyArray(descr, shape, false, data);
    }

    private static byte[] readFully(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("truncated NPY " + what + ": expected " + n + " bytes, got " + b.length);
        }
        return b;
    }

    // ------------------------------------------------------------------------------ header parser

    /** Parses the header's Python dict literal; keys must be strings. */
    static Map<String, Object> parseHeader(String header) throws IOException {
        HeaderParser p = new HeaderParser(header);
        Object value = p.value();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("unexpected text after the dict");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IOException("NPY header is not a dict: " + header.strip());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) map;
        return result;
    }

    /**
     * A recursive-descent parser for the subset of Python literals found in NPY headers: dicts,
     * tuples, lists, strings, integers (with an optional Python 2 {@code L} suffix), {@code True},
     * {@code False} and {@code None}. Tuples and lists become {@link List}s, integers
     * {@link Long}s.
     */
    private static final class HeaderParser {
        private final String s;
        private int pos;

        HeaderParser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IOException error(String msg) {
            return new IOException("malformed NPY header (" + msg + " at offset " + pos + "): " + s.strip());
        }

        Object value() throws IOException {
            skipSpace();
            if (atEnd()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return dict();
                case '(':
                    return sequence(')');
                case '[':
                    return sequence(']');
                case '\'':
                case '"':
                    return string();
                default:
                    if (c == '-' || Character.isDigit(c)) {
                        return integer();
                    }
                    return word();
            }
        }

        private Map<String, Object> dict() throws IOException {
            pos++; // {
            Map<String, Object> map = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (!atEnd() && s.charAt(pos) == '}') {
                    pos++;
                    return map;
                }
                Object key = value();
                if (!(key instanceof String k)) {
                    throw error("dict key is not a string");
                }
                skipSpace();
                expect(':');
                map.put(k, value());
                skipSpace();
                if (!atEnd() && s.charAt(pos) == ',') {
                    pos++;
                } else {
                    skipSpace();
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> sequence(char close) throws IOException {
            pos++; // ( or [
            List<Object> items = new ArrayList<>();
            while (true) {
                skipSpace();
                if (!atEnd() && s.charAt(pos) == close) {
                    pos++;
                    return items;
                }
                items.add(value());
                skipSpace();
                if (!atEnd() && s.charAt(pos) == ',') {
                    pos++;
                } else {
                    expect(close);
                    return items;
                }
            }
        }

        private String string() throws IOException {
            char quote = s.charAt(pos++);
            StringBuilder b = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == quote) {
                    return b.toString();
                }
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                b.append(c);
            }
            throw error("unterminated string");
        }

        private Long integer() throws IOException {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++;
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("bad integer '" + digits + "'");
            }
        }

        private Object word() throws IOException {
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
                pos++;
            }
            String w = s.substring(start, pos);
            return switch (w) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> NONE;
                default -> throw error("unexpected token '" + (w.isEmpty() ? s.charAt(pos) : w) + "'");
            };
        }

        private void expect(char c) throws IOException {
            if (atEnd() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }
    }

    /** Stand-in for Python's {@code None}. */
    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private static String pyRepr(Object o) {
        return o == null ? "(missing)" : o.toString();
    }

    // ------------------------------------------------------------------------------ dtypes

    /** A supported scalar dtype: byte order, kind ({@code f i u b}) and item size in bytes. */
    record Dtype(ByteOrder order, char kind, int size) {

        static final String SUPPORTED = "f4 f8 i1 i2 i4 i8 u1 u2 u4 b1 with byte order <, > or |";

        /**
         * @throws IllegalArgumentException if the descriptor is not a supported scalar type
         */
        static Dtype parse(String descr) {
            if (descr.length() != 3) {
                throw unsupported(descr);
            }
            char bo = descr.charAt(0);
            char kind = descr.charAt(1);
            int size = descr.charAt(2) - '0';
            boolean ok = switch (kind) {
                case 'f' -> size == 4 || size == 8;
                case 'i' -> size == 1 || size == 2 || size == 4 || size == 8;
                case 'u' -> size == 1 || size == 2 || size == 4;
                case 'b' -> size == 1;
                default -> false;
            };
            if (!ok) {
                throw unsupported(descr);
            }
            ByteOrder order = switch (bo) {
                case '<' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                case '|' -> {
                    if (size != 1) {
                        throw unsupported(descr);
                    }
                    yield ByteOrder.LITTLE_ENDIAN;
                }
                default -> throw unsupported(descr);
            };
            return new Dtype(order, kind, size);
        }

        private static IllegalArgumentException unsupported(String descr) {
            return new IllegalArgumentException("unsupported dtype '" + descr + "'; supported: " + SUPPORTED);
        }

        Dtype littleEndian() {
            return new Dtype(ByteOrder.LITTLE_ENDIAN, kind, size);
        }

        /** The descriptor numpy would write for this type. */
        String descr() {
            char bo = size == 1 ? '|' : order == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
            return "" + bo + kind + size;
        }

        double get(ByteBuffer b) {
            return switch (kind) {
                case 'f' -> size == 4 ? b.getFloat() : b.getDouble();
                case 'i' ->
                    switch (size) {
                        case 1 -> b.get();
                        case 2 -> b.getShort();
                        case 4 -> b.getInt();
                        default -> (double) b.getLong();
                    };
                case 'u' ->
                    switch (size) {
                        case 1 -> b.get() & 0xFF;
                        case 2 -> b.getShort() & 0xFFFF;
                        default -> b.getInt() & 0xFFFF_FFFFL;
                    };
                default -> b.get() != 0 ? 1.0 : 0.0; // b1
            };
        }

        void put(ByteBuffer b, double v, int index) {
            if (kind == 'f') {
                if (size == 4) {
                    b.putFloat((float) v);
                } else {
                    b.putDouble(v);
                }
                return;
            }
            // valid integers lie in [lo, hiExclusive); all bounds are exact powers of two
            double lo;
            double hiExclusive;
            switch (kind) {
                case 'i' -> {
                    lo = -Math.scalb(1.0, 8 * size - 1);
                    hiExclusive = Math.scalb(1.0, 8 * size - 1);
                }
                case 'u' -> {
                    lo = 0;
                    hiExclusive = Math.scalb(1.0, 8 * size);
                }
                default -> { // b1
                    lo = 0;
                    hiExclusive = 2;
                }
            }
            if (v != Math.rint(v) || v < lo || v >= hiExclusive) {
                throw new IllegalArgumentException(
                        "element " + index + " = " + v + " is not representable as " + descr());
            }
            switch (size) {
                case 1 -> b.put((byte) (long) v);
                case 2 -> b.putShort((short) (long) v);
                case 4 -> b.putInt((int) (long) v);
                default -> b.putLong((long) v);
            }
        }
    }
}
