// cortex4j CUDA kernels: the elementwise and copy-shaped ops of the Backend SPI
// (io.cortex4j.tensor.Backend; reference semantics: io.cortex4j.backend.cpu.Nd4jCpuBackend).
//
// Plain CUDA C, no #include (NVRTC compiles it without a toolkit). Every kernel is
// extern "C" __global__. Base names take float32 tensors (float*), the _f64 variants float64
// (double*); everything else about a pair is the same.
//
// Conventions
//   * Arguments: the tensors in the order of the SPI method, then the sizes (long long element
//     counts, int row lengths), then the scalars (double) in SPI order. Activation functions are
//     passed as int: io.cortex4j.tensor.Activation.ordinal() (SIGMOID 0, TANH 1, RELU 2,
//     LINEAR 3, SOFTPLUS 4, HARD_SIGMOID 5; any other value gives NaN).
//   * Arithmetic is done in double and rounded once when stored, for float32 too, as the CPU
//     backend does; with NVRTC option --fmad=false the results then equal the CPU backend's bit for
//     bit except where a kernel's comment says otherwise (libm differences: exp, tanh, log1p,
//     expm1 are CUDA's, within 1-2 ulp in double, so a float32 result differs from the CPU one
//     only when the double value lies within an ulp or two of a float rounding boundary, and a
//     float64 result may differ in its last bit or two). With the default --fmad=true, a*x + b*y
//     may be fused and differ from the CPU backend in the last bit of a double.
//   * An output may alias an input wherever the SPI allows it (every element is read before it is
//     written, by the same thread).
//
// Launch shapes
//   [E]  elementwise, 1-D grid-stride over the elements with a 64-bit index: any blockDim.x
//        (256 suggested) and any gridDim.x (>= ceil(count / blockDim.x) for one pass; fewer blocks
//        loop). No shared memory. "count" is named per kernel.
//   [T]  block_transpose / block_transpose_f64: blockDim.x = 256 exactly (1-D: 32 x 8 threads of a
//        32 x 32 tile), any gridDim.x (one block per tile in one pass: tiles = blocks *
//        ceil(p / 32) * ceil(q / 32)); static shared memory 32 x 33 elements (4.1 KiB / 8.3 KiB).
//   [R]  scatter_rows / scatter_rows_f64: one block per row (grid-stride over rows), blockDim.x a
//        power of two <= 256 (256 suggested; the kernel does nothing if blockDim.x > 256), any
//        gridDim.x; static shared memory 256 * (8 + element size) bytes.
//
// Kernels (count for [E] in brackets)
//   fill, fill_f64                            [n]      Backend.fill (0: cuMemsetD8 is enough)
//   cast_f32_from_f64, cast_f64_from_f32      [n]      host transfers via a staging buffer
//   lincomb, lincomb_f64                      [n]      Backend.lincomb and Backend.axpby
//   mul, mul_f64                              [n]      Backend.mul
//   div_elem, div_elem_f64                    [n]      Backend.div
//   activation, activation_f64                [n]      activation / activationDerivative / activationAndDerivative
//   lincomb_activation(_f64)                  [n]      Backend.lincombActivation (fused lincomb + activation)
//   lincomb_chain(_f64)                       [n]      Backend.lincombChain (two fused lincombs)
//   prediction_error, prediction_error_f64    [n]      Backend.predictionError
//   high_pass, high_pass_f64                  [n]      Backend.highPass
//   burst, burst_f64                          [n]      Backend.burstHidden and Backend.burstOutput
//   lif_step, lif_step_f64                    [n]      Backend.lifStep
//   low_pass_outer_apply(_f64)                [m*n]    Backend.lowPassOuterApply (small batch; see OPS.md)
//   add_row_vector, add_row_vector_f64        [rows*n] Backend.addRowVector
//   sign_concordant, sign_concordant_f64      [n]      Backend.signConcordant
//   gather_rows, gather_rows_f64              [batch*m] Backend.gatherRows
//   scatter_rows, scatter_rows_f64            [R]      Backend.scatterRows
//   gle_neuron_step, gle_neuron_step_f64      [rows*n] Backend.gleNeuronStep
//   adam_step, adam_step_f64                  [n]      Backend.adamStep
//   clamp, clamp_f64                          [n]      Backend.clamp
//   block_transpose, block_transpose_f64      [T]      Backend.blockTranspose and Backend.transpose

#define EW_GRID_STRIDE(i, count) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// ---------------------------------------------------------------------------------------
// Fill and dtype casts
// ---------------------------------------------------------------------------------------

// x[i] = (float) value
extern "C" __global__ void fill(float* x, long long n, double value)
{
    float v = (float)value;
    EW_GRID_STRIDE(i, n) x[i] = v;
}

extern "C" __global__ void fill_f64(double* x, long long n, double value)
{
    EW_GRID_STRIDE(i, n) x[i] = value;
}

// dst[i] = (float) src[i]  (copyFromHost(double[]) into a float32 tensor through a double staging buffer)
extern "C" __global__ void cast_f32_from_f64(const double* src, float* dst, long long n)
{
    EW_GRID_STRIDE(i, n) dst[i] = (float)src[i];
}

// dst[i] = (double) src[i]  (copyToHost of a float32 tensor into double[], or copyFromHost(float[]) into float64)
extern "C" __global__ void cast_f64_from_f32(const float* src, double* dst, long long n)
{
    EW_GRID_STRIDE(i, n) dst[i] = (double)src[i];
}

// ---------------------------------------------------------------------------------------
// Linear combinations and products
// ---------------------------------------------------------------------------------------

// Backend.lincomb: out = a*x + b*y + c*z; z may be NULL, and with z NULL or c == 0 the z term is
// left out (so a NaN in z does not leak through c = 0). Backend.axpby(a, x, b, y) is
// lincomb(out = y, x, y, z = NULL, a, b, 0): the same value, (float)(a*x + b*y).
extern "C" __global__ void lincomb(float* out, const float* x, const float* y, const float* z, long long n, double a, double b,
                                   double c)
{
    if (z == 0 || c == 0.0) {
        EW_GRID_STRIDE(i, n) out[i] = (float)(a * (double)x[i] + b * (double)y[i]);
    } else {
        EW_GRID_STRIDE(i, n) out[i] = (float)(a * (double)x[i] + b * (double)y[i] + c * (double)z[i]);
    }
}

extern "C" __global__ void lincomb_f64(double* out, const double* x, const double* y, const double* z, long long n, double a,
                                       double b, double c)
{
    if (z == 0 || c == 0.0) {
        EW_GRID_STRIDE(i, n) out[i] = a * x[i] + b * y[i];
    } else {
        EW_GRID_STRIDE(i, n) out[i] = a * x[i] + b * y[i] + c * z[i];
    }
}

// Backend.mul: out = x * y (the product of two floats is exact in double, so this is the float product).
extern "C" __global__ void mul(const float* x, const float* y, float* out, long long n)
{
    EW_GRID_STRIDE(i, n) out[i] = (float)((double)x[i] * (double)y[i]);
}

extern "C" __global__ void mul_f64(const double* x, const double* y, double* out, long long n)
{
    EW_GRID_STRIDE(i, n) out[i] = x[i] * y[i];
}

// Backend.div: out = x / y (IEEE: x/0 is +-inf, 0/0 NaN).
extern "C" __global__ void div_elem(const float* x, const float* y, float* out, long long n)
{
    EW_GRID_STRIDE(i, n) out[i] = (float)((double)x[i] / (double)y[i]);
}

extern "C" __global__ void div_elem_f64(const double* x, const double* y, double* out, long long n)
{
    EW_GRID_STRIDE(i, n) out[i] = x[i] / y[i];
}

// ---------------------------------------------------------------------------------------
// Activations (io.cortex4j.tensor.Activation; ordinal: SIGMOID 0, TANH 1, RELU 2, LINEAR 3, SOFTPLUS 4,
// HARD_SIGMOID 5)
// ---------------------------------------------------------------------------------------

// An ordinal no case knows (a Java Activation without its kernel case) gives NaN, so that the
// conformance tests catch it instead of it passing as some other function.
#define EW_UNKNOWN_ACTIVATION __longlong_as_double(0x7ff8000000000000LL)

// Activation.apply(v) in double.
__device__ __forceinline__ double ew_phi(int f, double v)
{
    switch (f) {
    case 0: return 1.0 / (1.0 + exp(-v));
    case 1: return tanh(v);
    case 2: return v > 0.0 ? v : 0.0;           // NaN -> 0, as in Java
    case 3: return v;
    case 4: return v > 0.0 ? v + log1p(exp(-v)) : log1p(exp(v));
    case 5: return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); // clamp(v, 0, 1): NaN stays NaN, -0 stays -0, as in Java
    default: return EW_UNKNOWN_ACTIVATION;
    }
}

// Activation.derivative(v) in double (sigmoid and tanh through their value, as the CPU backend does).
__device__ __forceinline__ double ew_dphi(int f, double v)
{
    switch (f) {
    case 0: {
        double s = 1.0 / (1.0 + exp(-v));
        return s * (1.0 - s);
    }
    case 1: {
        double t = tanh(v);
        return 1.0 - t * t;
    }
    case 2: return v > 0.0 ? 1.0 : 0.0;
    case 3: return 1.0;
    case 4: return 1.0 / (1.0 + exp(-v));
    case 5: return (v >= 0.0 && v <= 1.0) ? 1.0 : 0.0; // 1 on [0, 1], kinks included; NaN -> 0
    default: return EW_UNKNOWN_ACTIVATION;
    }
}

// Backend.activation, activationDerivative and activationAndDerivative in one kernel, float32:
// out = f(scale*x) and deriv = f'(scale*x); out or deriv may be NULL (then it is not computed).
// v = scale * x in double. SIGMOID: s = 1/(1 + e^-v), deriv s(1 - s). TANH follows the CPU
// backend's float32 path (Nd4jCpuBackend.tanhChunk, used for every scale): y = 2v clamped to
// [-120, 120] (NaN stays NaN), out = (e^y - 1)/(e^y + 1), deriv = 4 e^y/(e^y + 1)^2 (no
// cancellation for large |v|, unlike 1 - tanh^2), with CUDA's expm1/exp: within one float ulp of
// the CPU values. RELU (NaN -> 0), LINEAR, SOFTPLUS, HARD_SIGMOID (clamp(v, 0, 1), derivative 1 on
// [0, 1] and 0 elsewhere): Activation.apply/derivative in double, so the same bits as the CPU.
// out and deriv must not alias each other; for activation/activationDerivative alone, out (or
// deriv) may alias x.
// The float32 activation of one element (value o, derivative d, in double before rounding to float).
__device__ __forceinline__ void ew_activation_f32(int f, double v, double* o, double* d)
{
    if (f == 0) {
        double s = 1.0 / (1.0 + exp(-v));
        *o = s;
        *d = s * (1.0 - s);
    } else if (f == 1) {
        double y = 2.0 * v;
        if (y > 120.0) y = 120.0;
        else if (y < -120.0) y = -120.0;
        double em1 = expm1(y) + 0.0, e = exp(y), q = em1 + 2.0; // + 0.0: tanh(-0) = +0 as in tanhChunk
        *o = em1 / q;
        *d = 4.0 * e / (q * q);
    } else {
        *o = ew_phi(f, v);
        *d = ew_dphi(f, v);
    }
}

extern "C" __global__ void activation(const float* x, float* out, float* deriv, long long n, int f, double scale)
{
    EW_GRID_STRIDE(i, n) {
        double o, d;
        ew_activation_f32(f, scale * (double)x[i], &o, &d);
        if (out != 0) out[i] = (float)o;
        if (deriv != 0) deriv[i] = (float)d;
    }
}

// Float64: out = Activation.apply(scale*x), deriv = Activation.derivative(scale*x) (tanh' = 1 - t^2).
// The float64 activation value of one element (Activation.apply; tanh: CUDA's tanh).
__device__ __forceinline__ double ew_activation_value_f64(int f, double v)
{
    if (f == 0) return 1.0 / (1.0 + exp(-v));
    if (f == 1) return tanh(v);
    return ew_phi(f, v);
}

extern "C" __global__ void activation_f64(const double* x, double* out, double* deriv, long long n, int f, double scale)
{
    EW_GRID_STRIDE(i, n) {
        double v = scale * x[i];
        double o, d;
        if (f == 0) {
            double s = 1.0 / (1.0 + exp(-v));
            o = s;
            d = s * (1.0 - s);
        } else if (f == 1) {
            double t = tanh(v);
            o = t;
            d = 1.0 - t * t;
        } else {
            o = ew_phi(f, v);
            d = ew_dphi(f, v);
        }
        if (out != 0) out[i] = o;
        if (deriv != 0) deriv[i] = d;
    }
}

// ---------------------------------------------------------------------------------------
// Fused chains (Backend.lincombActivation, Backend.lincombChain): the same arithmetic as the
// kernels they replace, in one pass; the intermediate is rounded to the tensor type and stored
// before it is used, exactly as the separate kernels would read it back.
// ---------------------------------------------------------------------------------------

// out = (float)(a*x + b*y); rate = f(out) (activation with scale 1). rate may alias out.
extern "C" __global__ void lincomb_activation(float* out, float* rate, const float* x, const float* y, long long n, double a, double b, int f)
{
    EW_GRID_STRIDE(i, n) {
        float u = (float)(a * (double)x[i] + b * (double)y[i]);
        out[i] = u;
        double o, d;
        ew_activation_f32(f, 1.0 * (double)u, &o, &d);
        rate[i] = (float)o;
    }
}

extern "C" __global__ void lincomb_activation_f64(double* out, double* rate, const double* x, const double* y, long long n, double a, double b, int f)
{
    EW_GRID_STRIDE(i, n) {
        double u = a * x[i] + b * y[i];
        out[i] = u;
        rate[i] = ew_activation_value_f64(f, 1.0 * u);
    }
}

// mid = a*x + b*y (+ c*z; z NULL or c == 0 leaves the term out), then out = d*prev + e*mid, with mid
// rounded to float in between. prev is read after mid is written (prev may alias mid).
extern "C" __global__ void lincomb_chain(float* mid, const float* x, const float* y, const float* z, float* out, const float* prev, long long n,
                                        double a, double b, double c, double d, double e)
{
    bool three = z != 0 && c != 0.0;
    EW_GRID_STRIDE(i, n) {
        float m = three ? (float)(a * (double)x[i] + b * (double)y[i] + c * (double)z[i]) : (float)(a * (double)x[i] + b * (double)y[i]);
        mid[i] = m;
        out[i] = (float)(d * (double)prev[i] + e * (double)m);
    }
}

extern "C" __global__ void lincomb_chain_f64(double* mid, const double* x, const double* y, const double* z, double* out, const double* prev, long long n,
                                            double a, double b, double c, double d, double e)
{
    bool three = z != 0 && c != 0.0;
    EW_GRID_STRIDE(i, n) {
        double m = three ? a * x[i] + b * y[i] + c * z[i] : a * x[i] + b * y[i];
        mid[i] = m;
        out[i] = d * prev[i] + e * m;
    }
}

// Backend.predictionError: out = r - f(scale*v), Activation.apply in double (tanh: CUDA's tanh).
extern "C" __global__ void prediction_error(const float* r, const float* v, float* out, long long n, int f, double scale)
{
    EW_GRID_STRIDE(i, n) out[i] = (float)((double)r[i] - ew_phi(f, scale * (double)v[i]));
}

extern "C" __global__ void prediction_error_f64(const double* r, const double* v, double* out, long long n, int f, double scale)
{
    EW_GRID_STRIDE(i, n) out[i] = r[i] - ew_phi(f, scale * v[i]);
}

// ---------------------------------------------------------------------------------------
// Filters of the continuous-time families
// ---------------------------------------------------------------------------------------

// Backend.highPass: hp = hp + (r - rOld) - k*hp.
extern "C" __global__ void high_pass(float* hp, const float* r, const float* r_old, long long n, double k)
{
    EW_GRID_STRIDE(i, n) {
        double h = hp[i];
        hp[i] = (float)(h + ((double)r[i] - (double)r_old[i]) - k * h);
    }
}

extern "C" __global__ void high_pass_f64(double* hp, const double* r, const double* r_old, long long n, double k)
{
    EW_GRID_STRIDE(i, n) {
        double h = hp[i];
        hp[i] = h + (r[i] - r_old[i]) - k * h;
    }
}

// ---------------------------------------------------------------------------------------
// Burst probabilities (BurstCCN)
// ---------------------------------------------------------------------------------------

// Backend.burstHidden (hidden = 1, a = u): pv = amplitude * sigmoid(gain * u * (1 - e));
// Backend.burstOutput (hidden = 0, a = y): pv = baseline * ((y - e) * (1 - e) + 1).
// Then, with pv and the baseline rounded to the tensor's type: p = pv, burst = pv * e,
// delta = pv * e - baseline * e (so p at the baseline gives delta 0 exactly).
extern "C" __global__ void burst(const float* a, const float* e, float* p, float* burst, float* delta, long long n,
                                 int hidden, double amplitude, double gain, double baseline)
{
    EW_GRID_STRIDE(i, n) {
        double av = a[i], ev = e[i];
        double pv = hidden ? amplitude * (1.0 / (1.0 + exp(-(gain * av * (1.0 - ev)))))
                           : baseline * ((av - ev) * (1.0 - ev) + 1.0);
        float pf = (float)pv;
        p[i] = pf;
        burst[i] = (float)((double)pf * ev);
        delta[i] = (float)((double)pf * ev - (double)(float)baseline * ev);
    }
}

extern "C" __global__ void burst_f64(const double* a, const double* e, double* p, double* burst, double* delta, long long n,
                                     int hidden, double amplitude, double gain, double baseline)
{
    EW_GRID_STRIDE(i, n) {
        double av = a[i], ev = e[i];
        double pv = hidden ? amplitude * (1.0 / (1.0 + exp(-(gain * av * (1.0 - ev)))))
                           : baseline * ((av - ev) * (1.0 - ev) + 1.0);
        p[i] = pv;
        burst[i] = pv * ev;
        delta[i] = pv * ev - baseline * ev;
    }
}

// ---------------------------------------------------------------------------------------
// Leaky integrate-and-fire neurons (spiking networks)
// ---------------------------------------------------------------------------------------

// The surrogate derivative (io.cortex4j.tensor.Surrogate by ordinal): 0 rectangle, 1 sigmoid.
__device__ __forceinline__ double lif_surrogate(int shape, double u, double theta, double width)
{
    if (shape == 0) return fabs(u - theta) < width / 2 ? 1.0 / width : 0.0;
    double sg = 1.0 / (1.0 + exp(-4.0 * (u - theta) / width));
    return 4.0 / width * sg * (1.0 - sg);
}

// Backend.lifStep (refr may be NULL when refractory_steps is 0). Per element, in double, each result
// rounded once to the type: refractory (refr > 0): u = 0, s = 0, g = 0, refr -= 1; otherwise
// u = (type)(decay * u + cur), g = surrogate(u), and u >= threshold spikes (s = 1, u = 0,
// refr = refractory_steps); then a = a + (s - a) / tau_trace.
extern "C" __global__ void lif_step(const float* cur, float* u, float* refr, float* s, float* a, float* g, long long n,
                                    double decay, double threshold, double tau_trace, int refractory_steps, int shape,
                                    double width)
{
    EW_GRID_STRIDE(i, n) {
        double rv = refr ? (double)refr[i] : 0.0, sv = 0.0, gv = 0.0, uv;
        if (rv > 0) {
            uv = 0.0;
            refr[i] = (float)(rv - 1.0);
        } else {
            uv = (double)(float)(decay * (double)u[i] + (double)cur[i]);
            gv = lif_surrogate(shape, uv, threshold, width);
            if (uv >= threshold) {
                sv = 1.0;
                uv = 0.0;
                if (refr) refr[i] = (float)refractory_steps;
            }
        }
        u[i] = (float)uv;
        s[i] = (float)sv;
        g[i] = (float)gv;
        double av = a[i];
        a[i] = (float)(av + (sv - av) / tau_trace);
    }
}

extern "C" __global__ void lif_step_f64(const double* cur, double* u, double* refr, double* s, double* a, double* g,
                                        long long n, double decay, double threshold, double tau_trace,
                                        int refractory_steps, int shape, double width)
{
    EW_GRID_STRIDE(i, n) {
        double rv = refr ? refr[i] : 0.0, sv = 0.0, gv = 0.0, uv;
        if (rv > 0) {
            uv = 0.0;
            refr[i] = rv - 1.0;
        } else {
            uv = decay * u[i] + cur[i];
            gv = lif_surrogate(shape, uv, threshold, width);
            if (uv >= threshold) {
                sv = 1.0;
                uv = 0.0;
                if (refr) refr[i] = (double)refractory_steps;
            }
        }
        u[i] = uv;
        s[i] = sv;
        g[i] = gv;
        double av = a[i];
        a[i] = av + (sv - av) / tau_trace;
    }
}

// Backend.lowPassOuterApply, fused: for a [batch, m], b [batch, n], lo and w [m, n], element (i, j):
//   s = sum over r = 0 .. batch-1, in order, of (alpha * a[r, i]) * b[r, j]   (double)
//   l = (1 - k) * lo[i, j] + s;  lo[i, j] = l;  w[i, j] += (float) l
// One thread per element of lo: count m*n. These are the CPU backend's loops for batch*m*n below its
// BLAS threshold: float32 with batch == 1 computes as its lowPassRow does, in float:
//   l = (float)(1 - k) * lo + (float)(alpha * a[0, i]) * b[0, j];  lo = l;  w = w + l.
// For large batch*m*n use cuBLAS instead: gemm(transA, alpha, a, b, beta = 1 - k, lo) then
// lincomb(w, w, lo, NULL, 1, 1, 0) (see OPS.md).
extern "C" __global__ void low_pass_outer_apply(const float* a, const float* b, float* lo, float* w, int batch, int m, int n,
                                                double alpha, double k)
{
    long long total = (long long)m * n;
    if (batch == 1) { // the CPU backend's float32 batch-1 loop (lowPassRow): float arithmetic
        float decay = (float)(1.0 - k);
        EW_GRID_STRIDE(e, total) {
            long long i = e / n, j = e % n;
            float c = (float)(alpha * (double)a[i]);
            float l = decay * lo[e] + c * b[j];
            lo[e] = l;
            w[e] = w[e] + l;
        }
        return;
    }
    EW_GRID_STRIDE(e, total) {
        long long i = e / n, j = e % n;
        double s = 0.0;
        for (int r = 0; r < batch; ++r) s += (alpha * (double)a[(long long)r * m + i]) * (double)b[(long long)r * n + j];
        float l = (float)((1.0 - k) * (double)lo[e] + s);
        lo[e] = l;
        w[e] = (float)((double)w[e] + (double)l);
    }
}

extern "C" __global__ void low_pass_outer_apply_f64(const double* a, const double* b, double* lo, double* w, int batch, int m,
                                                    int n, double alpha, double k)
{
    long long total = (long long)m * n;
    EW_GRID_STRIDE(e, total) {
        long long i = e / n, j = e % n;
        double s = 0.0;
        for (int r = 0; r < batch; ++r) s += (alpha * a[(long long)r * m + i]) * b[(long long)r * n + j];
        double l = (1.0 - k) * lo[e] + s;
        lo[e] = l;
        w[e] = w[e] + l;
    }
}

// Backend.addRowVector: m[i, j] += alpha * row[j] for m [rows, n]. Count rows*n.
extern "C" __global__ void add_row_vector(const float* row, float* m, long long rows, int n, double alpha)
{
    long long total = rows * n;
    EW_GRID_STRIDE(e, total) m[e] = (float)((double)m[e] + alpha * (double)row[e % n]);
}

extern "C" __global__ void add_row_vector_f64(const double* row, double* m, long long rows, int n, double alpha)
{
    long long total = rows * n;
    EW_GRID_STRIDE(e, total) m[e] = m[e] + alpha * row[e % n];
}

// Math.signum: +-1, and the argument itself for +-0 and NaN.
__device__ __forceinline__ double ew_signum(double w)
{
    return w > 0.0 ? 1.0 : (w < 0.0 ? -1.0 : w);
}

// Backend.signConcordant: out = scale * |m| * signum(w), evaluated (scale * |m|) * signum(w);
// m NULL: out = scale * signum(w). signum(+-0) = +-0, signum(NaN) = NaN, as Math.signum.
extern "C" __global__ void sign_concordant(const float* w, const float* m, float* out, long long n, double scale)
{
    if (m == 0) {
        EW_GRID_STRIDE(i, n) out[i] = (float)(scale * ew_signum((double)w[i]));
    } else {
        EW_GRID_STRIDE(i, n) out[i] = (float)(scale * fabs((double)m[i]) * ew_signum((double)w[i]));
    }
}

extern "C" __global__ void sign_concordant_f64(const double* w, const double* m, double* out, long long n, double scale)
{
    if (m == 0) {
        EW_GRID_STRIDE(i, n) out[i] = scale * ew_signum(w[i]);
    } else {
        EW_GRID_STRIDE(i, n) out[i] = scale * fabs(m[i]) * ew_signum(w[i]);
    }
}

// ---------------------------------------------------------------------------------------
// Gather / scatter within rows (indices are stored as float / double values in a tensor)
// ---------------------------------------------------------------------------------------

// Java's (long) x as an index into [0, n): truncation toward zero, NaN -> 0; -1 when outside.
__device__ __forceinline__ long long ew_index_f64(double x, int n)
{
    if (x != x) return 0;
    if (x <= -1.0 || x >= (double)n) return -1;
    return (long long)x;
}

// Backend.gatherRows: dst[b, j] = src[b, (int) idx[b, j]] for src [batch, n], idx and dst [batch, m].
// Count batch*m. The index is truncated toward zero, as Java's (int) / (long) cast. An index
// outside [0, n) (where the CPU backend throws) leaves dst[b, j] unchanged and sets *bad = 1
// when bad is not NULL (the caller zeroes *bad first and may check it after the launch).
extern "C" __global__ void gather_rows(const float* src, const float* idx, float* dst, long long batch, int n, int m, int* bad)
{
    long long total = batch * m;
    EW_GRID_STRIDE(e, total) {
        long long b = e / m;
        long long at = (long long)(int)idx[e];
        if (at < 0 || at >= n) {
            if (bad != 0) *bad = 1;
            continue;
        }
        dst[e] = src[b * n + at];
    }
}

extern "C" __global__ void gather_rows_f64(const double* src, const double* idx, double* dst, long long batch, int n, int m,
                                           int* bad)
{
    long long total = batch * m;
    EW_GRID_STRIDE(e, total) {
        long long b = e / m;
        long long at = ew_index_f64(idx[e], n);
        if (at < 0) {
            if (bad != 0) *bad = 1;
            continue;
        }
        dst[e] = src[b * n + at];
    }
}

// Backend.scatterRows: dst = 0, then dst[b, idx[b, j]] += src[b, j] for j = 0 .. m-1 in order, for
// src and idx [batch, m] and dst [batch, n]; float32 accumulates in float (each add rounded, as the
// CPU backend), float64 in double. Deterministic without atomics and exactly the CPU order, also
// with repeated indices: one block per row; the row is zeroed, then j is taken in chunks of
// blockDim.x; in a chunk, the thread holding the first occurrence of an index adds, in order of j,
// every element of the chunk with that index, and chunks follow each other in order. Launch [R].
// Indices outside [0, n) are skipped and set *bad = 1 (bad may be NULL). dst must not alias src or idx.
extern "C" __global__ void scatter_rows(const float* src, const float* idx, float* dst, long long batch, int m, int n, int* bad)
{
    __shared__ long long s_at[256];
    __shared__ float s_v[256];
    if (blockDim.x > 256) return;
    int t = threadIdx.x, T = blockDim.x;
    for (long long b = blockIdx.x; b < batch; b += gridDim.x) {
        float* row = dst + b * n;
        for (int j = t; j < n; j += T) row[j] = 0.0f;
        __syncthreads();
        for (int j0 = 0; j0 < m; j0 += T) {
            int j = j0 + t;
            long long at = -1;
            float v = 0.0f;
            if (j < m) {
                at = (long long)(int)idx[b * m + j];
                v = src[b * m + j];
                if (at < 0 || at >= n) {
                    if (bad != 0) *bad = 1;
                    at = -1;
                }
            }
            s_at[t] = at;
            s_v[t] = v;
            __syncthreads();
            if (at >= 0) {
                bool first = true;
                for (int u = 0; u < t; ++u) {
                    if (s_at[u] == at) {
                        first = false;
                        break;
                    }
                }
                if (first) {
                    int end = m - j0 < T ? m - j0 : T;
                    float acc = (float)((double)row[at] + (double)v);
                    for (int u = t + 1; u < end; ++u) {
                        if (s_at[u] == at) acc = (float)((double)acc + (double)s_v[u]);
                    }
                    row[at] = acc;
                }
            }
            __syncthreads();
        }
    }
}

extern "C" __global__ void scatter_rows_f64(const double* src, const double* idx, double* dst, long long batch, int m, int n,
                                            int* bad)
{
    __shared__ long long s_at[256];
    __shared__ double s_v[256];
    if (blockDim.x > 256) return;
    int t = threadIdx.x, T = blockDim.x;
    for (long long b = blockIdx.x; b < batch; b += gridDim.x) {
        double* row = dst + b * n;
        for (int j = t; j < n; j += T) row[j] = 0.0;
        __syncthreads();
        for (int j0 = 0; j0 < m; j0 += T) {
            int j = j0 + t;
            long long at = -1;
            double v = 0.0;
            if (j < m) {
                at = ew_index_f64(idx[b * m + j], n);
                v = src[b * m + j];
                if (at < 0) {
                    if (bad != 0) *bad = 1;
                    at = -1;
                }
            }
            s_at[t] = at;
            s_v[t] = v;
            __syncthreads();
            if (at >= 0) {
                bool first = true;
                for (int u = 0; u < t; ++u) {
                    if (s_at[u] == at) {
                        first = false;
                        break;
                    }
                }
                if (first) {
                    int end = m - j0 < T ? m - j0 : T;
                    double acc = row[at] + v;
                    for (int u = t + 1; u < end; ++u) {
                        if (s_at[u] == at) acc = acc + s_v[u];
                    }
                    row[at] = acc;
                }
            }
            __syncthreads();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fused steps: GLE neurons, Adam, clamp
// ---------------------------------------------------------------------------------------

// Backend.gleNeuronStep over [rows, n] (count rows*n), tau_m and tau_r [n] broadcast over rows:
//   prospective != 0:  vd = (ie - v)/tr,  e = v + tm*vd,  v <- v + dt*vd      else: e = ie, v <- ie
//   ud = (s + gamma*e - u)/tm,  uDot = ud,  uBreve = u + tr*ud,  u <- u + dt*ud
// Float32 follows Nd4jCpuBackend.gleChunkF: arithmetic in double, e and ud rounded to float where
// they are stored and read back. e, u_dot, u_breve must be distinct from each other and the inputs.
extern "C" __global__ void gle_neuron_step(const float* s, const float* ie, const float* tau_m, const float* tau_r, float* u,
                                           float* v, float* e, float* u_dot, float* u_breve, long long rows, int n, double dt,
                                           double gamma, int prospective)
{
    long long total = rows * n;
    EW_GRID_STRIDE(k, total) {
        long long j = k % n;
        double tm = tau_m[j], tr = tau_r[j];
        double inst = ie[k], v0 = v[k], u0 = u[k], syn = s[k];
        float ev, vn;
        if (prospective) {
            double vd = (inst - v0) / tr;
            ev = (float)(v0 + tm * vd);
            vn = (float)(v0 + dt * vd);
        } else {
            ev = (float)inst;
            vn = (float)inst;
        }
        float ud = (float)((syn + gamma * (double)ev - u0) / tm);
        v[k] = vn;
        e[k] = ev;
        u_dot[k] = ud;
        u_breve[k] = (float)(u0 + tr * (double)ud);
        u[k] = (float)(u0 + dt * (double)ud);
    }
}

extern "C" __global__ void gle_neuron_step_f64(const double* s, const double* ie, const double* tau_m, const double* tau_r,
                                               double* u, double* v, double* e, double* u_dot, double* u_breve, long long rows,
                                               int n, double dt, double gamma, int prospective)
{
    long long total = rows * n;
    EW_GRID_STRIDE(k, total) {
        long long j = k % n;
        double tm = tau_m[j], tr = tau_r[j];
        double inst = ie[k], v0 = v[k], u0 = u[k], syn = s[k];
        double err, vn;
        if (prospective) {
            double vd = (inst - v0) / tr;
            err = v0 + tm * vd;
            vn = v0 + dt * vd;
        } else {
            err = inst;
            vn = inst;
        }
        double ud = (syn + gamma * err - u0) / tm;
        v[k] = vn;
        e[k] = err;
        u_dot[k] = ud;
        u_breve[k] = u0 + tr * ud;
        u[k] = u0 + dt * ud;
    }
}

// Backend.adamStep. The host computes, in Java exactly as Nd4jCpuBackend.adamStep does,
//   step_size = lr / (1.0 - Math.pow(beta1, t)),  bc2 = Math.sqrt(1.0 - Math.pow(beta2, t))
// and passes them (no pow on the device). Per element, in double:
//   m <- beta1*m + (1 - beta1)*g;  v <- beta2*v + (1 - beta2)*g*g   (float32: rounded to float)
//   p <- p - step_size*m / (sqrt(v)/bc2 + eps)
extern "C" __global__ void adam_step(float* p, const float* g, float* m, float* v, long long n, double step_size, double beta1,
                                     double beta2, double eps, double bc2)
{
    EW_GRID_STRIDE(i, n) {
        double gi = g[i];
        float mi = (float)(beta1 * (double)m[i] + (1.0 - beta1) * gi);
        float vi = (float)(beta2 * (double)v[i] + (1.0 - beta2) * gi * gi);
        m[i] = mi;
        v[i] = vi;
        p[i] = (float)((double)p[i] - step_size * (double)mi / (sqrt((double)vi) / bc2 + eps));
    }
}

extern "C" __global__ void adam_step_f64(double* p, const double* g, double* m, double* v, long long n, double step_size,
                                         double beta1, double beta2, double eps, double bc2)
{
    EW_GRID_STRIDE(i, n) {
        double gi = g[i];
        double mi = beta1 * m[i] + (1.0 - beta1) * gi;
        double vi = beta2 * v[i] + (1.0 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - step_size * mi / (sqrt(vi) / bc2 + eps);
    }
}

// Backend.clamp: x < lo -> lo, x > hi -> hi (compared in double; float32 stores (float) lo / hi);
// NaN stays NaN. The host checks lo <= hi.
extern "C" __global__ void clamp(float* x, long long n, double lo, double hi)
{
    EW_GRID_STRIDE(i, n) {
        double a = x[i];
        if (a < lo) x[i] = (float)lo;
        else if (a > hi) x[i] = (float)hi;
    }
}

extern "C" __global__ void clamp_f64(double* x, long long n, double lo, double hi)
{
    EW_GRID_STRIDE(i, n) {
        double a = x[i];
        if (a < lo) x[i] = lo;
        else if (a > hi) x[i] = hi;
    }
}

// ---------------------------------------------------------------------------------------
// Block transpose (also the plain matrix transpose)
// ---------------------------------------------------------------------------------------

// Backend.blockTranspose(src, p, q, dst) with alpha = 1, and Backend.transpose(src [r, c], alpha, dst)
// as one block with p = r, q = c: for every block bl of p*q elements,
//   dst[bl*p*q + j*p + i] = alpha * src[bl*p*q + i*q + j],  i < p, j < q
// (alpha == 1: a plain copy of the element, bits kept; else (float)(alpha * x) in double).
// blocks = length / (p*q). dst must not alias src. Launch [T]: blockDim.x = 256, one 32 x 32 tile
// per block and grid-stride over the tiles (tiles = blocks * ceil(p/32) * ceil(q/32)).
extern "C" __global__ void block_transpose(const float* src, float* dst, long long blocks, int p, int q, double alpha)
{
    __shared__ float tile[32][33];
    if (blockDim.x != 256) return;
    int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    long long tp = (p + 31) / 32, tq = (q + 31) / 32, per = tp * tq, tiles = blocks * per;
    for (long long t = blockIdx.x; t < tiles; t += gridDim.x) {
        long long bl = t / per, r = t % per;
        int ti = (int)(r / tq), tj = (int)(r % tq);
        long long base = bl * p * q;
        for (int s = 0; s < 32; s += 8) {
            int i = ti * 32 + ty + s, j = tj * 32 + tx;
            if (i < p && j < q) tile[ty + s][tx] = src[base + (long long)i * q + j];
        }
        __syncthreads();
        for (int s = 0; s < 32; s += 8) {
            int j = tj * 32 + ty + s, i = ti * 32 + tx;
            if (i < p && j < q) {
                float x = tile[tx][ty + s];
                dst[base + (long long)j * p + i] = alpha == 1.0 ? x : (float)(alpha * (double)x);
            }
        }
        __syncthreads();
    }
}

extern "C" __global__ void block_transpose_f64(const double* src, double* dst, long long blocks, int p, int q, double alpha)
{
    __shared__ double tile[32][33];
    if (blockDim.x != 256) return;
    int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    long long tp = (p + 31) / 32, tq = (q + 31) / 32, per = tp * tq, tiles = blocks * per;
    for (long long t = blockIdx.x; t < tiles; t += gridDim.x) {
        long long bl = t / per, r = t % per;
        int ti = (int)(r / tq), tj = (int)(r % tq);
        long long base = bl * p * q;
        for (int s = 0; s < 32; s += 8) {
            int i = ti * 32 + ty + s, j = tj * 32 + tx;
            if (i < p && j < q) tile[ty + s][tx] = src[base + (long long)i * q + j];
        }
        __syncthreads();
        for (int s = 0; s < 32; s += 8) {
            int j = tj * 32 + ty + s, i = ti * 32 + tx;
            if (i < p && j < q) {
                double x = tile[tx][ty + s];
                dst[base + (long long)j * p + i] = alpha == 1.0 ? x : alpha * x;
            }
        }
        __syncthreads();
    }
}
