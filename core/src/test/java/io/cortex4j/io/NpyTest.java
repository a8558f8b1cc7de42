package io.cortex4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * NPY tests. The {@code *.npy} resources were written by NumPy 2.4.6 with
 * {@code src/test/resources/io/cortex4j/io/make_fixtures.py}; the expected values below mirror
 * that script.
 */
class NpyTest {

    static final double[] F4_2X3 = {0.0, 0.5, -1.25, (float) 0.1, 3.0e38f, -0.0};

    static byte[] resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    static NpyArray readResource(String name) throws IOException {
        return Npy.read(new ByteArrayInputStream(resource(name)));
    }

    static byte[] toBytes(NpyArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    static double[] f8Fixture() {
        double[] v = new double[24];
        for (int i = 0; i < 24; i++) {
            v[i] = (i - 11.0) / 8.0;
        }
        v[0] = Double.POSITIVE_INFINITY;
        v[23] = Double.NEGATIVE_INFINITY;
        v[12] = Double.NaN;
        return v;
    }

    @Test
    void exactHeaderBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, true);
        byte[] b = out.toByteArray();

        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(b, 8));
        int headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLen) % 64, "data must start at a multiple of 64");
        assertEquals(118, headerLen); // 10 + 118 = 128, as numpy.save writes it
        String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assertTrue(header.startsWith(dict), header);
        assertEquals(" ".repeat(headerLen - dict.length() - 1), header.substring(dict.length(), headerLen - 1));
        assertEquals('\n', header.charAt(headerLen - 1));

        assertEquals(128 + 6 * 4, b.length);
        ByteBuffer data = ByteBuffer.wrap(b, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 6; i++) {
            assertEquals(i, data.getFloat());
        }
    }

    @Test
    void writerOutputIsByteIdenticalToNumpy() throws IOException {
        assertArrayEquals(resource("f4_2x3.npy"), toBytes(new NpyArray("<f4", new long[] {2, 3}, F4_2X3)));
        assertArrayEquals(resource("f8_2x3x4.npy"), toBytes(NpyArray.ofDoubles(f8Fixture(), 2, 3, 4)));
        assertArrayEquals(resource("scalar_f8.npy"), toBytes(NpyArray.ofDoubles(new double[] {3.5})));
        assertArrayEquals(resource("empty_f4_0x3.npy"), toBytes(new NpyArray("<f4", new long[] {0, 3}, new double[0])));
        assertArrayEquals(
                resource("i4_5.npy"),
                toBytes(new NpyArray("<i4", new long[] {5}, new double[] {-2147483648.0, -1, 0, 1, 2147483647.0})));
        assertArrayEquals(
                resource("i8_2x2.npy"),
                toBytes(new NpyArray("<i8", new long[] {2, 2}, new double[] {-0x1p53, 0x1p53, -1, 7})));
        assertArrayEquals(
                resource("u1_4.npy"), toBytes(new NpyArray("|u1", new long[] {4}, new double[] {0, 1, 128, 255})));
        assertArrayEquals(resource("b1_3.npy"), toBytes(new NpyArray("|b1", new long[] {3}, new double[] {1, 0, 1})));
    }

    @Test
    void readsNumpyFloatArrays() throws IOException {
        NpyArray f4 = readResource("f4_2x3.npy");
        assertEquals("<f4", f4.dtype());
        assertArrayEquals(new long[] {2, 3}, f4.shape());
        assertArrayEquals(F4_2X3, f4.data());
        assertArrayEquals(new float[] {0f, 0.5f, -1.25f, 0.1f, 3.0e38f, -0.0f}, f4.toFloatArray());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f4.data()[5]));

        NpyArray f8 = readResource("f8_2x3x4.npy");
        assertEquals("<f8", f8.dtype());
        assertArrayEquals(new long[] {2, 3, 4}, f8.shape());
        assertEquals(3, f8.ndim());
        assertArrayEquals(f8Fixture(), f8.data());

        NpyArray scalar = readResource("scalar_f8.npy");
        assertEquals(0, scalar.ndim());
        assertArrayEquals(new double[] {3.5}, scalar.data());

        NpyArray empty = readResource("empty_f4_0x3.npy");
        assertArrayEquals(new long[] {0, 3}, empty.shape());
        assertEquals(0, empty.size());
    }

    @Test
    void readsNumpyIntegerAndBoolArrays() throws IOException {
        assertArrayEquals(
                new double[] {-2147483648.0, -1, 0, 1, 2147483647.0},
                readResource("i4_5.npy").data());
        NpyArray i8 = readResource("i8_2x2.npy");
        assertEquals("<i8", i8.dtype());
        assertArrayEquals(new double[] {-0x1p53, 0x1p53, -1, 7}, i8.data());
        NpyArray u1 = readResource("u1_4.npy");
        assertEquals("|u1", u1.dtype());
        assertArrayEquals(new double[] {0, 1, 128, 255}, u1.data());
        assertArrayEquals(new double[] {1, 0, 1}, readResource("b1_3.npy").data());
    }

    @Test
    void readsBigEndianAndVersion2() throws IOException {
        NpyArray be8 = readResource("be_f8_3.npy");
        assertEquals(">f8", be8.dtype());
        assertArrayEquals(new double[] {1.5, -2.25, 1e300}, be8.data());
        NpyArray be4 = readResource("be_f4_2x2.npy");
        assertEquals(">f4", be4.dtype());
        assertArrayEquals(new long[] {2, 2}, be4.shape());
        assertArrayEquals(new double[] {1.5, -2.25, (float) 0.1, 65504.0}, be4.data());
        // writing a big-endian array stores it little-endian
        NpyArray back = Npy.read(new ByteArrayInputStream(toBytes(be8)));
        assertEquals("<f8", back.dtype());
        assertArrayEquals(be8.data(), back.data());

        byte[] v2 = resource("v2_f4_3.npy");
        assertEquals(2, v2[6]);
        NpyArray a = Npy.read(new ByteArrayInputStream(v2));
        assertArrayEquals(new double[] {1, 2, 3}, a.data());
    }

    @Test
    void roundTripsFloat32AndFloat64InManyShapes() throws IOException {
        Random rnd = new Random(1);
        long[][] shapes = {{}, {0}, {1}, {7}, {3, 0}, {2, 3}, {2, 3, 4}, {1, 1, 1, 5}, {300, 700}};
        for (long[] shape : shapes) {
            int n = (int) NpyArray.elementCount(shape);
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(20) - 10);
            }
            for (boolean float32 : new boolean[] {true, false}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npy.write(out, data, shape, float32);
                byte[] bytes = out.toByteArray();
                int headerEnd = bytes.length - n * (float32 ? 4 : 8);
                assertEquals(0, headerEnd % 64, "alignment for " + Arrays.toString(shape));
                NpyArray back = Npy.read(new ByteArrayInputStream(bytes));
                assertEquals(float32 ? "<f4" : "<f8", back.dtype());
                assertArrayEquals(shape, back.shape());
                for (int i = 0; i < n; i++) {
                    double expected = float32 ? (double) (float) data[i] : data[i];
                    assertEquals(expected, back.data()[i]);
                }
            }
        }
    }

    @Test
    void arraysWrittenBackToBackAreReadInTurn() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new double[] {1, 2}, new long[] {2}, false);
        Npy.write(out, new double[] {3, 4, 5}, new long[] {3}, true);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertArrayEquals(new double[] {1, 2}, Npy.read(in).data());
        assertArrayEquals(new double[] {3, 4, 5}, Npy.read(in).data());
        assertEquals(-1, in.read());
    }

    @Test
    void headerParserToleratesKeyOrderSpacingAndPython2Longs() throws IOException {
        String dict = "{\"shape\": (2L,3L),'fortran_order':False , 'descr':'<i4'}";
        byte[] h = (dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (int i = 0; i < 6; i++) {
            b.putInt(-i);
        }
        NpyArray a = Npy.read(new ByteArrayInputStream(b.array()));
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(new double[] {0, -1, -2, -3, -4, -5}, a.data());
    }

    private static IOException readError(byte[] bytes) {
        return assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(bytes)));
    }

    private static byte[] withHeader(String dict, int dataBytes) {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        return b.array();
    }

    @Test
    void errorsAreClear() throws IOException {
        assertTrue(readError("PK\u0003\u0004 not npy".getBytes(StandardCharsets.ISO_8859_1))
                .getMessage()
                .contains("not an NPY file"));
        assertTrue(readError(new byte[0]).getMessage().contains("not an NPY file"));

        IOException fortran = readError(resource("fortran_f8_2x3.npy"));
        assertTrue(fortran.getMessage().contains("Fortran"), fortran.getMessage());

        IOException complex = readError(withHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16));
        assertTrue(complex.getMessage().contains("unsupported dtype '<c16'"), complex.getMessage());
        IOException unicode = readError(withHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", 12));
        assertTrue(unicode.getMessage().contains("unsupported dtype"), unicode.getMessage());
        IOException structured = readError(
                withHeader("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }", 8));
        assertTrue(structured.getMessage().contains("unsupported dtype"), structured.getMessage());

        byte[] full = resource("f8_2x3x4.npy");
        IOException truncated = readError(Arrays.copyOf(full, full.length - 3));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        assertTrue(truncated.getMessage().contains("192"), truncated.getMessage());
        assertTrue(readError(Arrays.copyOf(full, 40)).getMessage().contains("truncated"));

        byte[] v9 = full.clone();
        v9[6] = 9;
        assertTrue(readError(v9).getMessage().contains("version 9.0"));

        IOException garbage = readError(withHeader("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", 4));
        assertTrue(garbage.getMessage().contains("malformed NPY header"), garbage.getMessage());
        IOException noShape = readError(withHeader("{'descr': '<f4', 'fortran_order': False}", 4));
        assertTrue(noShape.getMessage().contains("shape"), noShape.getMessage());
    }

    @Test
    void writingRejectsUnrepresentableIntegers() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(
                IllegalArgumentException.class,
                () -> Npy.write(out, new NpyArray("<i4", new long[] {1}, new double[] {0.5})));
        assertThrows(
                IllegalArgumentException.class,
                () -> Npy.write(out, new NpyArray("|u1", new long[] {1}, new double[] {256})));
        assertThrows(
                IllegalArgumentException.class,
                () -> Npy.write(out, new NpyArray("<i8", new long[] {1}, new double[] {0x1p63})));
        assertThrows(
                IllegalArgumentException.class,
                () -> Npy.write(out, new NpyArray("<i4", new long[] {1}, new double[] {Double.NaN})));
    }

    @Test
    void recordValidatesAndComparesContents() {
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofDoubles(new double[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray("<f8", new long[] {1}, true, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray("<c8", new long[] {1}, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofDoubles(new double[0], -1));
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofDoubles(new double[0], 1L << 20, 1L << 20));
        assertEquals(0, NpyArray.ofDoubles(new double[0], 1L << 40, 0).size());

        NpyArray a = NpyArray.ofFloats(new float[] {1, 2}, 2);
        assertEquals("<f4", a.dtype());
        assertEquals(a, new NpyArray("<f4", new long[] {2}, new double[] {1, 2}));
        assertEquals(a.hashCode(), new NpyArray("<f4", new long[] {2}, new double[] {1, 2}).hashCode());
        assertNotEquals(a, NpyArray.ofDoubles(new double[] {1, 2}, 2));
        long[] shape = a.shape();
        shape[0] = 99;
        assertArrayEquals(new long[] {2}, a.shape(), "shape is not exposed for mutation");
    }
}
