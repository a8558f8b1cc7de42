package io.cortex4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FunctionDescriptor of every downcall the bindings make against the C prototype of the same
 * symbol in the CUDA headers. The descriptors are the real ones: {@link CudaDriver}, {@link Nvrtc} and
 * {@link Cublas} are constructed on the host CUDA emulator ({@link HostCuda}) and {@link NativeLibrary}
 * reports what each bound. A C++ program generated from the bound symbol names is compiled with g++
 * against the header and prints, through {@code decltype(&symbol)} and templates, the shape of each
 * prototype: the return and every parameter as {@code p} (pointer), {@code iN} (integer or enum of N
 * bytes), {@code fN} (floating point of N bytes), {@code sN} (struct of N bytes) or {@code v} (void);
 * the arity, and each shape, must equal the Java side's (ADDRESS is p, JAVA_INT i4, JAVA_LONG i8,
 * JAVA_FLOAT f4, JAVA_DOUBLE f8, no return layout v).
 *
 * <p>The program looks up exactly the name the Java side binds. Many exported names appear in the
 * headers only through a rename macro ({@code #define cuMemAlloc cuMemAlloc_v2}, then the prototype
 * {@code cuMemAlloc(...)} declares {@code cuMemAlloc_v2}); {@code decltype(&cuMemAlloc_v2)} then finds
 * that declaration, which is the exported {@code cuMemAlloc_v2}'s. A bound name that is itself a macro
 * for another name (e.g. the unversioned {@code cuEventElapsedTime}, which cuda.h renames to
 * {@code _v2}) has no prototype of its own in the header and is reported, not checked against the
 * other symbol's. The one tolerated difference: cuBLAS declares device pointers as C pointers while
 * cortex4j carries them as {@code long} (CUdeviceptr), so in the cuBLAS part only a JAVA_LONG may stand
 * for a pointer of the same size (the same register and stack slot on LP64 ABIs).
 *
 * <p>Each header's part is skipped, with the reason, where the header, g++ or the emulator is missing.
 * Only the symbols the emulator exports are bound: where a binding prefers a newer symbol and falls back
 * to an older one, the emulator has the newer, so the fallback's descriptor is not checked here.
 */
class BindingSignatureTest {

    /** One bound function: its exact symbol and the descriptor the Java side bound it with. */
    record Bound(String symbol, FunctionDescriptor descriptor) {}

    /** What the header program printed for one symbol: the name after macro expansion, the shapes and C types. */
    record Prototype(String symbol, String expandsTo, List<String> shapes, List<String> cTypes) {}

    /** The printed prototypes and the mismatches found (empty when every binding agrees with the header). */
    record Outcome(Map<String, Prototype> prototypes, List<String> mismatches, List<String> tolerated) {}

    private static final Pattern C_IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    // ----------------------------------------------------------------------------------------- the Java side

    /** The bindings {@code library} made, in binding order. */
    static List<Bound> bound(NativeLibrary library) {
        List<Bound> out = new ArrayList<>();
        library.boundFunctions().forEach((name, fd) -> out.add(new Bound(name, fd)));
        return out;
    }

    /** The shape of one Java layout: ADDRESS p, JAVA_INT i4, JAVA_LONG i8, JAVA_FLOAT f4, JAVA_DOUBLE f8, ... */
    static String shape(MemoryLayout l) {
        return switch (l) {
            case AddressLayout a -> "p";
            case ValueLayout.OfFloat f -> "f" + f.byteSize();
            case ValueLayout.OfDouble d -> "f" + d.byteSize();
            case ValueLayout v -> "i" + v.byteSize(); // byte, boolean, char, short, int, long
            case GroupLayout g -> "s" + g.byteSize();
            default -> "?" + l;
        };
    }

    /** The layout as the bindings write it (JAVA_INT, ADDRESS, ...). */
    static String javaName(MemoryLayout l) {
        return switch (l) {
            case AddressLayout a -> "ADDRESS";
            case ValueLayout.OfInt i -> "JAVA_INT";
            case ValueLayout.OfLong j -> "JAVA_LONG";
            case ValueLayout.OfFloat f -> "JAVA_FLOAT";
            case ValueLayout.OfDouble d -> "JAVA_DOUBLE";
            case ValueLayout.OfShort s -> "JAVA_SHORT";
            case ValueLayout.OfByte b -> "JAVA_BYTE";
            case ValueLayout.OfChar c -> "JAVA_CHAR";
            case ValueLayout.OfBoolean z -> "JAVA_BOOLEAN";
            default -> l.toString();
        };
    }

    /** Return then arguments, as shapes ("v" for a void return). */
    static List<String> shapes(FunctionDescriptor fd) {
        List<String> s = new ArrayList<>();
        s.add(fd.returnLayout().map(BindingSignatureTest::shape).orElse("v"));
        for (MemoryLayout a : fd.argumentLayouts()) s.add(shape(a));
        return s;
    }

    static String javaName(FunctionDescriptor fd, int position) {
        if (position == 0)
            return fd.returnLayout().map(BindingSignatureTest::javaName).orElse("void");
        return javaName(fd.argumentLayouts().get(position - 1));
    }

    // ----------------------------------------------------------------------------------------- the header side

    /** A C++ compiler: $CXX, else g++ or c++ on the PATH or in /usr/bin. */
    static Optional<Path> findCxx() {
        String cxx = System.getenv("CXX");
        if (cxx != null && !cxx.isBlank() && Files.isExecutable(Path.of(cxx))) return Optional.of(Path.of(cxx));
        Optional<Path> p = HostCuda.onPath("g++", "c++");
        if (p.isPresent()) return p;
        return Optional.of(Path.of("/usr/bin/g++")).filter(Files::isExecutable);
    }

    /**
     * The C++ program: for each symbol, its name, what the name expands to in the header (itself unless
     * it is a macro for another), and tab-separated "shape:C type" of the return and each parameter.
     */
    static String program(Path header, List<Bound> bound) {
        StringBuilder s = new StringBuilder();
        s.append("// generated by io.cortex4j.cuda.BindingSignatureTest\n");
        s.append("#include <cstddef>\n#include <cstdio>\n#include <string>\n#include <type_traits>\n");
        s.append("#include <").append(header.getFileName()).append(">\n\n");
        s.append("""
                #define SIG_STR2(x) #x
                #define SIG_STR(x) SIG_STR2(x)

                template <class T> const char* sig_pretty() { return __PRETTY_FUNCTION__; }

                template <class T> std::string sig_ctype() {
                    std::string s = sig_pretty<T>();
                    std::size_t a = s.find("T = "), b = s.rfind(']');
                    return a == std::string::npos || b == std::string::npos ? s : s.substr(a + 4, b - a - 4);
                }

                template <class T> std::string sig_shape() {
                    std::string k;
                    if constexpr (std::is_void_v<T>) return "v:void";
                    else if constexpr (std::is_pointer_v<T>) k = "p";
                    else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) k = "i" + std::to_string(sizeof(T));
                    else if constexpr (std::is_floating_point_v<T>) k = "f" + std::to_string(sizeof(T));
                    else if constexpr (std::is_class_v<T> || std::is_union_v<T>) k = "s" + std::to_string(sizeof(T));
                    else k = "?";
                    return k + ":" + sig_ctype<T>();
                }

                template <class F> struct sig;
                template <class R, class... A> struct sig<R (*)(A...)> {
                    static std::string get() {
                        std::string s = sig_shape<R>();
                        ((s += "\\t" + sig_shape<A>()), ...);
                        return s;
                    }
                };
                template <class R, class... A> struct sig<R (*)(A...) noexcept> : sig<R (*)(A...)> {};
                template <class R, class... A> struct sig<R (*)(A..., ...)> {
                    static std::string get() { return sig<R (*)(A...)>::get() + "\\t...:variadic"; }
                };
                template <class R, class... A> struct sig<R (*)(A..., ...) noexcept> : sig<R (*)(A..., ...)> {};

                int main() {
                    std::printf("pointer\\t%zu\\n", sizeof(void*));
                """);
        for (Bound b : bound) {
            String n = b.symbol();
            if (!C_IDENT.matcher(n).matches()) fail("bound symbol is not a C identifier: '" + n + "'");
            s.append("    std::printf(\"%s\\t%s\\t%s\\n\", \"")
                    .append(n)
                    .append("\", SIG_STR(")
                    .append(n)
                    .append("), sig<decltype(&")
                    .append(n)
                    .append(")>::get().c_str());\n");
        }
        s.append("    return 0;\n}\n");
        return s.toString();
    }

    /** Compiles and runs {@link #program}, returning each symbol's prototype; fails the test if it does not compile. */
    static Map<String, Prototype> headerPrototypes(Path cxx, Path header, List<Bound> bound, Path tmp)
            throws Exception {
        String src = program(header, bound);
        String stem = "sig_" + header.getFileName().toString().replace('.', '_');
        Path cpp = tmp.resolve(stem + ".cpp"), exe = tmp.resolve(stem);
        Files.writeString(cpp, src);
        List<String> cmd = new ArrayList<>(List.of(cxx.toString(), "-std=c++17", "-w"));
        Set<Path> inc = new LinkedHashSet<>();
        inc.add(header.getParent());
        for (Path d : BindingLayoutTest.includeFolders()) if (Files.isDirectory(d)) inc.add(d);
        for (Path d : inc) cmd.add("-I" + d);
        cmd.addAll(List.of("-o", exe.toString(), cpp.toString()));
        String[] r = BindingLayoutTest.run(cmd, tmp);
        if (!r[0].equals("0"))
            fail("the " + header.getFileName()
                    + " signature check did not compile (a binding names a function the header lacks?):\n" + r[1]
                    + "\n--- " + cpp + " ---\n" + src);
        String[] out = BindingLayoutTest.run(List.of(exe.toString()), tmp);
        assertEquals("0", out[0], "the " + header.getFileName() + " signature program failed:\n" + out[1]);
        List<String> lines = out[1].lines().toList();
        assertEquals(bound.size() + 1, lines.size(), "one line per bound symbol expected:\n" + out[1]);
        assertEquals(
                "pointer\t" + java.lang.foreign.ValueLayout.ADDRESS.byteSize(),
                lines.get(0),
                "C pointers and Java's ADDRESS differ in size");
        Map<String, Prototype> out2 = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            List<String> shapes = new ArrayList<>(), types = new ArrayList<>();
            for (int i = 2; i < f.length; i++) {
                int colon = f[i].indexOf(':');
                shapes.add(f[i].substring(0, colon));
                types.add(f[i].substring(colon + 1));
            }
            out2.put(f[0], new Prototype(f[0], f[1], shapes, types));
        }
        return out2;
    }

    // ----------------------------------------------------------------------------------------- the comparison

    static String where(int position, int arity) {
        return position == 0 ? "return" : "argument " + position + " of " + arity;
    }

    /**
     * Each bound function against its header prototype. {@code devicePointersAsLong}: a Java JAVA_LONG
     * may stand for a C pointer (cuBLAS's device pointers); such cases are listed in {@code tolerated}.
     */
    static Outcome compare(Path cxx, Path header, List<Bound> bound, boolean devicePointersAsLong, Path tmp)
            throws Exception {
        Map<String, Prototype> protos = headerPrototypes(cxx, header, bound, tmp);
        String h = header.getFileName().toString();
        List<String> mismatches = new ArrayList<>(), tolerated = new ArrayList<>();
        for (Bound b : bound) {
            Prototype p = protos.get(b.symbol());
            assertTrue(p != null, "the program printed nothing for " + b.symbol());
            if (!p.expandsTo().equals(b.symbol())) {
                mismatches.add(b.symbol() + ": " + h + " defines " + b.symbol() + " as a macro for " + p.expandsTo()
                        + ", so it has no prototype of the exported " + b.symbol() + " that the Java side binds");
                continue;
            }
            List<String> java = shapes(b.descriptor());
            int arity = b.descriptor().argumentLayouts().size();
            if (java.size() != p.shapes().size()) {
                mismatches.add(b.symbol() + ": Java binds " + arity + " argument(s) " + java.subList(1, java.size())
                        + " but " + h + " declares " + (p.shapes().size() - 1) + " "
                        + p.shapes().subList(1, p.shapes().size()) + " (" + String.join(", ", p.cTypes()) + ")");
                continue;
            }
            for (int i = 0; i < java.size(); i++) {
                String j = java.get(i), c = p.shapes().get(i);
                if (j.equals(c)) continue;
                String what = b.symbol() + " " + where(i, arity) + ": Java " + javaName(b.descriptor(), i) + " (" + j
                        + ") but " + h + " has " + c + " (" + p.cTypes().get(i) + ")";
                if (devicePointersAsLong
                        && i > 0
                        && c.equals("p")
                        && javaName(b.descriptor(), i).equals("JAVA_LONG")) tolerated.add(what);
                else mismatches.add(what);
            }
        }
        return new Outcome(protos, mismatches, tolerated);
    }

    /** The whole check of one header and one binding; skipped where the header, g++ or the emulator is missing. */
    static Outcome check(String headerName, Function<Path, NativeLibrary> bind, boolean devicePointersAsLong, Path tmp)
            throws Exception {
        Path header = BindingLayoutTest.headerOrSkip(headerName);
        Optional<Path> cxx = findCxx();
        Assumptions.assumeTrue(cxx.isPresent(), "no C++ compiler (g++, c++ or $CXX) to compile the signature check");
        HostCuda emulator = HostCuda.require();
        List<Bound> bound = bound(bind.apply(emulator.library));
        assertFalse(bound.isEmpty(), "the binding bound no functions on " + emulator.library);
        Outcome o = compare(cxx.get(), header, bound, devicePointersAsLong, tmp);
        System.out.println("[BindingSignatureTest] " + headerName + ": " + bound.size() + " bound function(s) checked"
                + (o.tolerated().isEmpty()
                        ? ""
                        : "; device pointers passed as long (tolerated):\n  " + String.join("\n  ", o.tolerated())));
        if (!o.mismatches().isEmpty())
            fail(o.mismatches().size() + " bound function signature(s) differ from " + header + ":\n  "
                    + String.join("\n  ", o.mismatches()));
        return o;
    }

    // ----------------------------------------------------------------------------------------- tests

    @Test
    void driverSignaturesMatchCudaH(@TempDir Path tmp) throws Exception {
        Outcome o = check("cuda.h", p -> new CudaDriver(p).library(), false, tmp);
        assertTrue(o.tolerated().isEmpty(), "the driver part tolerates nothing: " + o.tolerated());
    }

    @Test
    void nvrtcSignaturesMatchNvrtcH(@TempDir Path tmp) throws Exception {
        check("nvrtc.h", p -> new Nvrtc(p).library(), false, tmp);
    }

    @Test
    void cublasSignaturesMatchCublasV2H(@TempDir Path tmp) throws Exception {
        check("cublas_v2.h", p -> new Cublas(p).library(), true, tmp);
    }

    /**
     * The comparison itself, on cuda.h: wrong descriptors for real symbols are reported naming the
     * function, the argument and both shapes (a size, a pointer for an integer, the arity, the return),
     * and a name the header only has as a macro for another is reported rather than checked.
     */
    @Test
    void aWrongDescriptorIsReported(@TempDir Path tmp) throws Exception {
        Path header = BindingLayoutTest.headerOrSkip("cuda.h");
        Optional<Path> cxx = findCxx();
        Assumptions.assumeTrue(cxx.isPresent(), "no C++ compiler (g++, c++ or $CXX) to compile the signature check");
        var I = ValueLayout.JAVA_INT;
        var J = ValueLayout.JAVA_LONG;
        var A = ValueLayout.ADDRESS;
        List<Bound> planted = List.of(
                new Bound("cuMemAlloc_v2", FunctionDescriptor.of(I, A, I)), // size_t bytesize as int
                new Bound("cuMemFree_v2", FunctionDescriptor.of(I, A)), // CUdeviceptr as a pointer
                new Bound("cuCtxSetCurrent", FunctionDescriptor.of(I, A, I)), // one argument too many
                new Bound("cuInit", FunctionDescriptor.of(J, I)), // CUresult as long
                new Bound("cuEventElapsedTime", FunctionDescriptor.of(I, A, A, A)), // a rename macro
                new Bound("cuDriverGetVersion", FunctionDescriptor.of(I, J)), // int* as long
                new Bound("cuDeviceGet", FunctionDescriptor.of(I, A, I))); // right
        Outcome o = compare(cxx.get(), header, planted, false, tmp);
        List<String> m = o.mismatches();
        assertTrue(
                m.stream()
                        .anyMatch(s ->
                                s.startsWith("cuMemAlloc_v2 argument 2 of 2: Java JAVA_INT (i4) but cuda.h has i8 (")),
                m::toString);
        assertTrue(
                m.stream()
                        .anyMatch(s ->
                                s.startsWith("cuMemFree_v2 argument 1 of 1: Java ADDRESS (p) but cuda.h has i8 (")),
                m::toString);
        assertTrue(
                m.stream()
                        .anyMatch(s -> s.startsWith(
                                "cuCtxSetCurrent: Java binds 2 argument(s) [p, i4] but cuda.h declares 1 [p]")),
                m::toString);
        assertTrue(
                m.stream().anyMatch(s -> s.startsWith("cuInit return: Java JAVA_LONG (i8) but cuda.h has i4 (")),
                m::toString);
        assertTrue(
                m.stream()
                        .anyMatch(
                                s -> s.startsWith(
                                        "cuEventElapsedTime: cuda.h defines cuEventElapsedTime as a macro for cuEventElapsedTime_v2")),
                m::toString);
        String longForPointer = "cuDriverGetVersion argument 1 of 1: Java JAVA_LONG (i8) but cuda.h has p (";
        assertTrue(m.stream().anyMatch(s -> s.startsWith(longForPointer)), m::toString);
        assertTrue(
                m.stream().noneMatch(s -> s.startsWith("cuDeviceGet ") || s.startsWith("cuDeviceGet:")), m::toString);
        assertEquals(6, m.size(), m::toString);
        assertTrue(o.tolerated().isEmpty(), o.tolerated()::toString);
        // the cuBLAS part's tolerance: exactly the JAVA_LONG for a pointer moves from mismatches to tolerated
        Outcome lenient = compare(cxx.get(), header, planted, true, tmp);
        assertEquals(
                m.stream().filter(s -> !s.startsWith(longForPointer)).toList(),
                lenient.mismatches(),
                "only the JAVA_LONG for a pointer is tolerated");
        assertEquals(1, lenient.tolerated().size(), lenient.tolerated()::toString);
        assertTrue(lenient.tolerated().get(0).startsWith(longForPointer), lenient.tolerated()::toString);
    }
}
