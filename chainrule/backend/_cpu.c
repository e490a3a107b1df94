/*
 * chainrule.backend._cpu: optional compiled kernels for the few memory-bound loops that NumPy
 * can only run as many whole-array passes (see chainrule/backend/kernels.py for the Python side,
 * which checks every argument and falls back to NumPy when this module is missing).
 *
 * Why C and not numba: the kernels must vectorize (restrict pointers, branch-free selects) and
 * need exp/tanh inside the loop; numba calls scalar libm there and cannot prove non-aliasing.
 * The hot functions are compiled for AVX-512, AVX2 and baseline x86-64 (GCC target_clones on
 * Linux/x86-64; a plain build elsewhere) and the loader picks the best one for the CPU.
 *
 * Safety: every array argument is taken through the buffer protocol as C-contiguous, with its
 * format and its byte length checked against the sizes passed in, so a wrong call raises
 * ValueError/BufferError instead of touching memory it does not own. The GIL is released while
 * a kernel runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CR_CLONES
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define CR_IVDEP _Pragma("GCC ivdep")
#elif defined(__clang__)
#define CR_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#else
#define CR_IVDEP
#endif

#if defined(__GNUC__)
#define CR_INLINE static inline __attribute__((always_inline))
#define CR_RESTRICT __restrict__
#else
#define CR_INLINE static inline
#define CR_RESTRICT
#endif

typedef Py_ssize_t idx_t;

/* ------------------------------------------------------------------------------------------ */
/* float32 exp / sigmoid / tanh: branch-free so that the loops around them vectorize.           */
/* ------------------------------------------------------------------------------------------ */
typedef union {
    float f;
    int32_t i;
} f32bits;

/* exp(x), Cephes' expf polynomial (< 2 ulp on [-87, 88.7], inf above); NaN stays NaN. The comparisons are
 * written so that a NaN fails them and passes through unchanged. */
CR_INLINE float cr_expf(float x) {
    float x0 = x;
    x = x > 88.3762626647949f ? 88.3762626647949f : x; /* 2^n stays finite: n <= 127 */
    x = x < -87.0f ? -87.0f : x;
    float t = x * 1.44269504088896341f + 12582912.0f; /* round(x / ln 2) via 1.5 * 2^23 */
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1.0f;
    f32bits p;
    p.i = ((int32_t)n + 127) << 23;
    return x0 > 88.72283905206835f ? INFINITY : y * p.f; /* overflow: exp(x) > FLT_MAX */
}

CR_INLINE float cr_sigmoidf(float x) { return 1.0f / (1.0f + cr_expf(-x)); }

/* tanh(x), Cephes' tanhf: an odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1) above. */
CR_INLINE float cr_tanhf(float x) {
    float ax = fabsf(x);
    float big = 1.0f - 2.0f / (cr_expf(2.0f * ax) + 1.0f);
    big = copysignf(big, x);
    float s = x * x;
    float p = -5.70498872745e-3f;
    p = p * s + 2.06390887954e-2f;
    p = p * s - 5.37397155531e-2f;
    p = p * s + 1.33314422036e-1f;
    p = p * s - 3.33332819422e-1f;
    float small = p * s * x + x;
    return ax < 0.625f ? small : big;
}

/* ------------------------------------------------------------------------------------------ */
/* Elementwise math (exposed so the tests can measure the approximations' errors).             */
/* ------------------------------------------------------------------------------------------ */
CR_CLONES static void k_sigmoid_f32(idx_t n, const float *CR_RESTRICT x, float *CR_RESTRICT y) {
    for (idx_t i = 0; i < n; i++) y[i] = cr_sigmoidf(x[i]);
}

CR_CLONES static void k_tanh_f32(idx_t n, const float *CR_RESTRICT x, float *CR_RESTRICT y) {
    for (idx_t i = 0; i < n; i++) y[i] = cr_tanhf(x[i]);
}

/* ------------------------------------------------------------------------------------------ */
/* LSTM cell, float32. Gate order i, f, g, o (PyTorch's). One row of the batch at a time.      */
/* ------------------------------------------------------------------------------------------ */
/* a (B, 4H): h @ W_hh^T on entry, the gate values (i, f, g, o) on exit; x (B, 4H): the input
 * projection of this step (biases included); c (B, H) the previous cell state; writes cn, h.
 * With grad: q (B, 4H) the factors that turn dc (i, f, g) or dh (o) into the pre-activation
 * gradients, and otc (B, H) = o * (1 - tanh(cn)^2). Two loops, with and without the backward
 * factors, each without a branch inside (a flag tested in the loop stops the vectorizer). */
#define LSTM_GATES                                                                              \
    float i = cr_sigmoidf(a[j] + x[j]);                                                         \
    float f = cr_sigmoidf(a[H + j] + x[H + j]);                                                 \
    float g = cr_tanhf(a[2 * H + j] + x[2 * H + j]);                                            \
    float o = cr_sigmoidf(a[3 * H + j] + x[3 * H + j]);                                         \
    a[j] = i;                                                                                   \
    a[H + j] = f;                                                                               \
    a[2 * H + j] = g;                                                                           \
    a[3 * H + j] = o;                                                                           \
    float cp = c[j];                                                                            \
    float cc = f * cp + i * g;                                                                  \
    float t = cr_tanhf(cc);                                                                     \
    cn[j] = cc;                                                                                 \
    h[j] = o * t;

CR_INLINE void lstm_fwd_row(idx_t H, float *CR_RESTRICT a, const float *CR_RESTRICT x,
                            const float *CR_RESTRICT c, float *CR_RESTRICT cn,
                            float *CR_RESTRICT h) {
    CR_IVDEP for (idx_t j = 0; j < H; j++) {
        LSTM_GATES
    }
}

CR_INLINE void lstm_fwd_row_grad(idx_t H, float *CR_RESTRICT a, const float *CR_RESTRICT x,
                                 const float *CR_RESTRICT c, float *CR_RESTRICT cn,
                                 float *CR_RESTRICT h, float *CR_RESTRICT q,
                                 float *CR_RESTRICT otc) {
    CR_IVDEP for (idx_t j = 0; j < H; j++) {
        LSTM_GATES
        q[j] = (i - i * i) * g;
        q[H + j] = (f - f * f) * cp;
        q[2 * H + j] = (1.0f - g * g) * i;
        q[3 * H + j] = (o - o * o) * t;
        otc[j] = o * (1.0f - t * t);
    }
}

CR_CLONES static void k_lstm_fwd(idx_t B, idx_t H, float *a, const float *x, const float *c,
                                 float *cn, float *h, float *q, float *otc, int grad) {
    for (idx_t b = 0; b < B; b++) {
        idx_t r4 = b * 4 * H, r = b * H;
        if (grad)
            lstm_fwd_row_grad(H, a + r4, x + r4, c + r, cn + r, h + r, q + r4, otc + r);
        else
            lstm_fwd_row(H, a + r4, x + r4, c + r, cn + r, h + r);
    }
}

/* One step of backpropagation through time: x = dh + g_t; y = dc + x * otc;
 * d = q * (y, y, y, x) (the pre-activation gradients, (B, 4H)); dc = y * f, f read from the
 * saved gate values a (B, 4H). dh is only read (the caller overwrites it with d @ W_hh). */
CR_INLINE void lstm_bwd_row(idx_t H, const float *CR_RESTRICT dh, const float *CR_RESTRICT gt,
                            float *CR_RESTRICT dc, const float *CR_RESTRICT otc,
                            const float *CR_RESTRICT q, const float *CR_RESTRICT a,
                            float *CR_RESTRICT d) {
    CR_IVDEP for (idx_t j = 0; j < H; j++) {
        float x = dh[j] + gt[j];
        float y = dc[j] + x * otc[j];
        d[j] = q[j] * y;
        d[H + j] = q[H + j] * y;
        d[2 * H + j] = q[2 * H + j] * y;
        d[3 * H + j] = q[3 * H + j] * x;
        dc[j] = y * a[H + j];
    }
}

CR_CLONES static void k_lstm_bwd(idx_t B, idx_t H, const float *dh, const float *gt, float *dc,
                                 const float *otc, const float *q, const float *a, float *d) {
    for (idx_t b = 0; b < B; b++) {
        idx_t r4 = b * 4 * H, r = b * H;
        lstm_bwd_row(H, dh + r, gt + r, dc + r, otc + r, q + r4, a + r4, d + r4);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Max pooling on channels-last (N, H, W, C) memory, float32 and float64.                      */
/* ------------------------------------------------------------------------------------------ */
typedef struct {
    idx_t N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw;
} pool_geom;

/* out = max over each window; idx (optional, int32: the same width as float32, so that the
 * selects vectorize with the data) = kernel offset i * kw + j of the first maximum.
 * A NaN counts as the maximum (the first NaN of the window), as in the NumPy path. Positions in
 * the padding are skipped (they hold -inf there). */
#define DEFINE_MAXPOOL_FWD(T, SFX)                                                              \
    CR_CLONES static void k_maxpool_fwd_##SFX(pool_geom g, const T *CR_RESTRICT x,             \
                                              T *CR_RESTRICT out, int32_t *CR_RESTRICT idx) {   \
        const idx_t C = g.C;                                                                    \
        for (idx_t n = 0; n < g.N; n++)                                                         \
            for (idx_t oh = 0; oh < g.Ho; oh++)                                                 \
                for (idx_t ow = 0; ow < g.Wo; ow++) {                                           \
                    idx_t o = ((n * g.Ho + oh) * g.Wo + ow) * C;                                \
                    T *CR_RESTRICT m = out + o;                                                 \
                    int32_t *CR_RESTRICT id = idx ? idx + o : NULL;                             \
                    int first = 1;                                                              \
                    for (idx_t i = 0; i < g.kh; i++) {                                          \
                        idx_t hh = oh * g.sh - g.pt + i * g.dh;                                 \
                        if (hh < 0 || hh >= g.H) continue;                                      \
                        for (idx_t j = 0; j < g.kw; j++) {                                      \
                            idx_t ww = ow * g.sw - g.pl + j * g.dw;                             \
                            if (ww < 0 || ww >= g.W) continue;                                  \
                            const T *CR_RESTRICT v = x + ((n * g.H + hh) * g.W + ww) * C;       \
                            int32_t k = (int32_t)(i * g.kw + j);                                \
                            if (first) {                                                        \
                                for (idx_t c = 0; c < C; c++) m[c] = v[c];                      \
                                if (id)                                                         \
                                    for (idx_t c = 0; c < C; c++) id[c] = k;                    \
                                first = 0;                                                      \
                            } else if (id) {                                                    \
                                for (idx_t c = 0; c < C; c++) {                                 \
                                    T a = v[c], b = m[c];                                       \
                                    int take = (a > b) | ((a != a) & (b == b));                 \
                                    m[c] = take ? a : b;                                        \
                                    id[c] = take ? k : id[c];                                   \
                                }                                                               \
                            } else {                                                            \
                                for (idx_t c = 0; c < C; c++) {                                 \
                                    T a = v[c], b = m[c];                                       \
                                    int take = (a > b) | ((a != a) & (b == b));                 \
                                    m[c] = take ? a : b;                                        \
                                }                                                               \
                            }                                                                   \
                        }                                                                       \
                    }                                                                           \
                    if (first) /* a window entirely in the padding (not reachable via checks) */ \
                        for (idx_t c = 0; c < C; c++) m[c] = (T)(-INFINITY);                    \
                }                                                                               \
    }

/* gx (N, H, W, C) = the gradient g (N, Ho, Wo, C) routed to each window's argmax. With
 * disjoint windows every input element belongs to at most one window, so each window writes
 * its elements with a select (vectorized); overlapping windows accumulate one by one. */
#define DEFINE_MAXPOOL_BWD(T, SFX)                                                              \
    CR_CLONES static void k_maxpool_bwd_##SFX(pool_geom g, const T *CR_RESTRICT gy,            \
                                              const int32_t *CR_RESTRICT idx,                   \
                                              T *CR_RESTRICT gx, int disjoint, int tiles) {     \
        const idx_t C = g.C;                                                                    \
        if (!tiles) memset(gx, 0, (size_t)(g.N * g.H * g.W * C) * sizeof(T));                   \
        for (idx_t n = 0; n < g.N; n++)                                                         \
            for (idx_t oh = 0; oh < g.Ho; oh++)                                                 \
                for (idx_t ow = 0; ow < g.Wo; ow++) {                                           \
                    idx_t o = ((n * g.Ho + oh) * g.Wo + ow) * C;                                \
                    const T *CR_RESTRICT gr = gy + o;                                           \
                    const int32_t *CR_RESTRICT id = idx + o;                                    \
                    if (disjoint) {                                                             \
                        for (idx_t i = 0; i < g.kh; i++) {                                      \
                            idx_t hh = oh * g.sh - g.pt + i * g.dh;                             \
                            if (hh < 0 || hh >= g.H) continue;                                  \
                            for (idx_t j = 0; j < g.kw; j++) {                                  \
                                idx_t ww = ow * g.sw - g.pl + j * g.dw;                         \
                                if (ww < 0 || ww >= g.W) continue;                              \
                                T *CR_RESTRICT d = gx + ((n * g.H + hh) * g.W + ww) * C;        \
                                int32_t k = (int32_t)(i * g.kw + j);                            \
                                for (idx_t c = 0; c < C; c++) d[c] = id[c] == k ? gr[c] : (T)0; \
                            }                                                                   \
                        }                                                                       \
                    } else {                                                                    \
                        for (idx_t c = 0; c < C; c++) {                                         \
                            idx_t k = id[c];                                                    \
                            idx_t hh = oh * g.sh - g.pt + (k / g.kw) * g.dh;                    \
                            idx_t ww = ow * g.sw - g.pl + (k % g.kw) * g.dw;                    \
                            if (hh < 0 || hh >= g.H || ww < 0 || ww >= g.W) continue;           \
                            gx[((n * g.H + hh) * g.W + ww) * C + c] += gr[c];                   \
                        }                                                                       \
                    }                                                                           \
                }                                                                               \
    }

DEFINE_MAXPOOL_FWD(float, f32)
DEFINE_MAXPOOL_FWD(double, f64)
DEFINE_MAXPOOL_BWD(float, f32)
DEFINE_MAXPOOL_BWD(double, f64)

/* ------------------------------------------------------------------------------------------ */
/* im2col / col2im for convolutions on channels-last memory (float32 and float64).             */
/* ------------------------------------------------------------------------------------------ */
/* For each output column ow and kernel column j: the input column ww it reads, or -1 in the
 * padding. Precomputed once per call so that the copy loops carry no bounds checks or
 * divisions. tab has Wo * kw entries (and likewise for rows). */
static void window_table(idx_t n_out, idx_t k, idx_t s, idx_t p, idx_t d, idx_t n_in,
                         idx_t *tab) {
    for (idx_t o = 0; o < n_out; o++)
        for (idx_t j = 0; j < k; j++) {
            idx_t v = o * s - p + j * d;
            tab[o * k + j] = v >= 0 && v < n_in ? v : -1;
        }
}

/* cols (N*Ho*Wo, kh*kw*C), column order (i, j, c), from x (N, H, W, C) with the padding read as
 * zeros (no padded copy of x is made). Same geometry struct as pooling. */
#define DEFINE_IM2COL(T, SFX)                                                                   \
    CR_CLONES static void k_im2col_##SFX(pool_geom g, const T *CR_RESTRICT x,                  \
                                         T *CR_RESTRICT cols, const idx_t *rt,                  \
                                         const idx_t *ct) {                                     \
        const idx_t C = g.C, K = g.kh * g.kw * C;                                               \
        for (idx_t n = 0; n < g.N; n++)                                                         \
            for (idx_t oh = 0; oh < g.Ho; oh++) {                                               \
                T *CR_RESTRICT row = cols + (n * g.Ho + oh) * g.Wo * K;                         \
                for (idx_t i = 0; i < g.kh; i++) {                                              \
                    idx_t hh = rt[oh * g.kh + i];                                               \
                    const T *CR_RESTRICT xr = x + (n * g.H + (hh < 0 ? 0 : hh)) * g.W * C;      \
                    for (idx_t ow = 0; ow < g.Wo; ow++) {                                       \
                        T *CR_RESTRICT r = row + ow * K + i * g.kw * C;                         \
                        const idx_t *cw = ct + ow * g.kw;                                       \
                        for (idx_t j = 0; j < g.kw; j++, r += C) {                              \
                            idx_t ww = cw[j];                                                   \
                            if (hh >= 0 && ww >= 0) {                                           \
                                const T *CR_RESTRICT v = xr + ww * C;                           \
                                if (C == 1)                                                     \
                                    r[0] = v[0];                                                \
                                else                                                            \
                                    for (idx_t c = 0; c < C; c++) r[c] = v[c];                  \
                            } else {                                                            \
                                for (idx_t c = 0; c < C; c++) r[c] = (T)0;                      \
                            }                                                                   \
                        }                                                                       \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
    }

/* dx (N, H, W, C) = the sum, over the windows that read each input element, of their column
 * entries: the adjoint of im2col. Column entry (k, m, c) sits at cols[k * sk + m * sm + c]
 * (row layout (M, kk*C): sk = C, sm = kk*C; block layout (kk, M, C): sk = M*C, sm = C). Each
 * output row n, oh adds its windows into dx (zeroed first), in loop order im2col reads them,
 * so the rows of dx it touches stay in cache. */
#define DEFINE_COL2IM(T, SFX)                                                                   \
    CR_CLONES static void k_col2im_##SFX(pool_geom g, const T *CR_RESTRICT cols, idx_t sk,     \
                                         idx_t sm, T *CR_RESTRICT dx, const idx_t *rt,          \
                                         const idx_t *ct) {                                     \
        const idx_t C = g.C;                                                                    \
        memset(dx, 0, (size_t)(g.N * g.H * g.W * C) * sizeof(T));                               \
        for (idx_t n = 0; n < g.N; n++)                                                         \
            for (idx_t oh = 0; oh < g.Ho; oh++)                                                 \
                for (idx_t i = 0; i < g.kh; i++) {                                              \
                    idx_t hh = rt[oh * g.kh + i];                                               \
                    if (hh < 0) continue;                                                       \
                    T *CR_RESTRICT dr = dx + (n * g.H + hh) * g.W * C;                          \
                    for (idx_t ow = 0; ow < g.Wo; ow++) {                                       \
                        idx_t m = (n * g.Ho + oh) * g.Wo + ow;                                  \
                        const idx_t *cw = ct + ow * g.kw;                                       \
                        for (idx_t j = 0; j < g.kw; j++) {                                      \
                            idx_t ww = cw[j];                                                   \
                            if (ww < 0) continue;                                               \
                            const T *CR_RESTRICT v = cols + (i * g.kw + j) * sk + m * sm;       \
                            T *CR_RESTRICT d = dr + ww * C;                                     \
                            for (idx_t c = 0; c < C; c++) d[c] += v[c];                         \
                        }                                                                       \
                    }                                                                           \
                }                                                                               \
    }

DEFINE_IM2COL(float, f32)
DEFINE_IM2COL(double, f64)
DEFINE_COL2IM(float, f32)
DEFINE_COL2IM(double, f64)

/* y += a * x (the plain SGD update) in one pass. Contraction into an FMA is turned off so the
 * result is bit-identical to NumPy's two-pass ``y += x * a``. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
#define DEFINE_AXPY(T, SFX)                                                                     \
    CR_CLONES static void k_axpy_##SFX(idx_t n, T a, const T *CR_RESTRICT x,                   \
                                       T *CR_RESTRICT y) {                                      \
        for (idx_t i = 0; i < n; i++) {                                                         \
            T t = x[i] * a;                                                                     \
            y[i] = y[i] + t;                                                                    \
        }                                                                                       \
    }
DEFINE_AXPY(float, f32)
DEFINE_AXPY(double, f64)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

/* ReLU backward in one pass: gx = y > 0 ? g : 0 (y the ReLU output, same memory order). */
#define DEFINE_RELU_BWD(T, SFX)                                                                  \
    CR_CLONES static void k_relu_bwd_##SFX(idx_t n, const T *CR_RESTRICT g,                    \
                                           const T *CR_RESTRICT y, T *CR_RESTRICT gx) {         \
        for (idx_t i = 0; i < n; i++) gx[i] = y[i] > (T)0 ? g[i] : (T)0;                        \
    }
DEFINE_RELU_BWD(float, f32)
DEFINE_RELU_BWD(double, f64)

/* ------------------------------------------------------------------------------------------ */
/* float32 GEMM for AVX-512 CPUs: C (M, N) = A (M, K) @ B (K, N).                               */
/* ------------------------------------------------------------------------------------------ */
/* Why: on the machines this library is tuned on, OpenBLAS and MKL run the small GEMMs of a
 * training step (an LSTM step's 32x128x512, an MLP layer's 128x784x256) at ~1/3 of the FMA
 * peak. This kernel packs B into panels of 32 columns (zero-padded), then for each panel runs
 * an 8x32 register-blocked micro-kernel (16 accumulators, A broadcast from memory) over all of
 * K. A is read through strides (any transposition, no copy); C is row-major contiguous.
 * Only compiled for x86-64 GCC/Clang and only called where the CPU has AVX-512F. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_GEMM 1
#include <immintrin.h>

__attribute__((target("avx512f"))) static void gemm_panel(idx_t M, idx_t K, const float *A,
                                                          idx_t sam, idx_t sak,
                                                          const float *Bp, float *C, idx_t ldc,
                                                          idx_t nw, int beta) {
    __mmask16 m0 = nw >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nw) - 1u);
    __mmask16 m1 = nw >= 32 ? (__mmask16)0xFFFF
                            : (nw > 16 ? (__mmask16)((1u << (nw - 16)) - 1u) : (__mmask16)0);
    idx_t i = 0;
    for (; i + 8 <= M; i += 8) {
        __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
        __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
        __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
        __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
        __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
        __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
        __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
        __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
        const float *a = A + i * sam;
        const float *b = Bp;
        for (idx_t k = 0; k < K; k++, a += sak, b += 32) {
            __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
            __m512 x;
#define CR_ROW(r)                                \
    x = _mm512_set1_ps(a[(r) * sam]);            \
    c##r##0 = _mm512_fmadd_ps(x, b0, c##r##0);   \
    c##r##1 = _mm512_fmadd_ps(x, b1, c##r##1);
            CR_ROW(0) CR_ROW(1) CR_ROW(2) CR_ROW(3) CR_ROW(4) CR_ROW(5) CR_ROW(6) CR_ROW(7)
#undef CR_ROW
        }
        float *c = C + i * ldc;
#define CR_STORE(r)                                                                             \
    if (beta) {                                                                                 \
        c##r##0 = _mm512_add_ps(c##r##0, _mm512_maskz_loadu_ps(m0, c + (r) * ldc));             \
        c##r##1 = _mm512_add_ps(c##r##1, _mm512_maskz_loadu_ps(m1, c + (r) * ldc + 16));        \
    }                                                                                           \
    _mm512_mask_storeu_ps(c + (r) * ldc, m0, c##r##0);                                          \
    _mm512_mask_storeu_ps(c + (r) * ldc + 16, m1, c##r##1);
        CR_STORE(0) CR_STORE(1) CR_STORE(2) CR_STORE(3)
        CR_STORE(4) CR_STORE(5) CR_STORE(6) CR_STORE(7)
#undef CR_STORE
    }
    for (; i < M; i++) {
        __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
        const float *a = A + i * sam;
        const float *b = Bp;
        for (idx_t k = 0; k < K; k++, a += sak, b += 32) {
            __m512 x = _mm512_set1_ps(*a);
            c0 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b), c0);
            c1 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b + 16), c1);
        }
        float *c = C + i * ldc;
        if (beta) {
            c0 = _mm512_add_ps(c0, _mm512_maskz_loadu_ps(m0, c));
            c1 = _mm512_add_ps(c1, _mm512_maskz_loadu_ps(m1, c + 16));
        }
        _mm512_mask_storeu_ps(c, m0, c0);
        _mm512_mask_storeu_ps(c + 16, m1, c1);
    }
}

/* Pack columns n0 .. n0+nw of B (K, N; strides sbk, sbn) into Bp (K, 32), zero-padded. */
static void gemm_pack(idx_t K, const float *B, idx_t sbk, idx_t sbn, idx_t n0, idx_t nw,
                      float *Bp) {
    for (idx_t k = 0; k < K; k++) {
        const float *b = B + k * sbk + n0 * sbn;
        float *d = Bp + k * 32;
        if (sbn == 1)
            memcpy(d, b, (size_t)nw * sizeof(float));
        else
            for (idx_t c = 0; c < nw; c++) d[c] = b[c * sbn];
        for (idx_t c = nw; c < 32; c++) d[c] = 0.0f;
    }
}

/* C = A @ B (+ C when beta). Bp: scratch of K * 32 floats, or a prepacked B (prepacked). */
static void gemm_f32(idx_t M, idx_t N, idx_t K, const float *A, idx_t sam, idx_t sak,
                     const float *B, idx_t sbk, idx_t sbn, float *C, float *Bp, int prepacked,
                     int beta) {
    for (idx_t n0 = 0, p = 0; n0 < N; n0 += 32, p++) {
        idx_t nw = N - n0 < 32 ? N - n0 : 32;
        const float *panel = Bp + (prepacked ? p * K * 32 : 0);
        if (!prepacked) gemm_pack(K, B, sbk, sbn, n0, nw, Bp);
        gemm_panel(M, K, A, sam, sak, panel, C + n0, N, nw, beta);
    }
}
#endif

static int cpu_has_avx512(void) {
#if defined(CR_GEMM)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* Argument handling                                                                            */
/* ------------------------------------------------------------------------------------------ */
#define MAX_BUFS 10

typedef struct {
    Py_buffer b[MAX_BUFS];
    int n;
} bufset;

static void release(bufset *s) {
    for (int i = 0; i < s->n; i++) PyBuffer_Release(&s->b[i]);
    s->n = 0;
}

/* Take `obj` as a C-contiguous buffer of `count` items of `fmt` ('f', 'd' or 'i'). */
static void *take(bufset *s, PyObject *obj, const char *op, const char *name, char fmt,
                  idx_t count, int writable) {
    Py_buffer *v = &s->b[s->n];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, v, flags) < 0) return NULL;
    s->n++;
    const char *f = v->format ? v->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@') f++;
    idx_t item = fmt == 'd' ? 8 : (fmt == 'f' || fmt == 'i' ? 4 : 1);
    char got = f[0] == 'l' && v->itemsize == 4 ? 'i' : f[0]; /* int32 is 'l' on Windows */
    if (got != fmt || f[1] != '\0' || v->itemsize != item) {
        PyErr_Format(PyExc_ValueError, "%s: %s has format '%s', expected '%c'", op, name,
                     v->format ? v->format : "B", fmt);
        return NULL;
    }
    if (v->len != count * item) {
        PyErr_Format(PyExc_ValueError, "%s: %s has %zd bytes, expected %zd (%zd items of '%c')",
                     op, name, v->len, count * item, count, fmt);
        return NULL;
    }
    return v->buf;
}

static int get_ints(PyObject *const *args, idx_t *out, int n, const char *op) {
    for (int i = 0; i < n; i++) {
        out[i] = PyLong_AsSsize_t(args[i]);
        if (out[i] == -1 && PyErr_Occurred()) return -1;
        if (out[i] < 0) {
            PyErr_Format(PyExc_ValueError, "%s: size argument %d is negative (%zd)", op, i,
                         out[i]);
            return -1;
        }
    }
    return 0;
}

static int check_nargs(Py_ssize_t nargs, Py_ssize_t want, const char *op) {
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s: expected %zd arguments, got %zd", op, want, nargs);
        return -1;
    }
    return 0;
}

/* The float format ('f' or 'd') of a buffer, or 0 with ValueError naming the argument. */
static char float_format(PyObject *obj, const char *op, const char *name) {
    Py_buffer probe;
    if (PyObject_GetBuffer(obj, &probe, PyBUF_FORMAT) < 0) return 0;
    char fmt = probe.format ? probe.format[strlen(probe.format) - 1] : 'B';
    PyBuffer_Release(&probe);
    if (fmt != 'f' && fmt != 'd') {
        PyErr_Format(PyExc_ValueError, "%s: %s must be float32 or float64", op, name);
        return 0;
    }
    return fmt;
}

/* The number of 4-byte items of a C-contiguous buffer, or -1 with an exception set. */
static idx_t count_f32(PyObject *obj) {
    Py_buffer probe;
    if (PyObject_GetBuffer(obj, &probe, PyBUF_C_CONTIGUOUS) < 0) return -1;
    idx_t n = probe.len / 4;
    PyBuffer_Release(&probe);
    return n;
}

/* sigmoid_f32(x, out) / tanh_f32(x, out): float32 buffers of equal size. */
static PyObject *unary_f32(PyObject *const *args, Py_ssize_t nargs, const char *op,
                           void (*fn)(idx_t, const float *, float *)) {
    if (check_nargs(nargs, 2, op) < 0) return NULL;
    bufset s = {.n = 0};
    idx_t n = count_f32(args[0]);
    if (n < 0) return NULL;
    const float *x = take(&s, args[0], op, "x", 'f', n, 0);
    float *y = x ? take(&s, args[1], op, "out", 'f', n, 1) : NULL;
    if (!y) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS fn(n, x, y);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

static PyObject *py_sigmoid_f32(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return unary_f32(args, nargs, "sigmoid_f32", k_sigmoid_f32);
}

static PyObject *py_tanh_f32(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return unary_f32(args, nargs, "tanh_f32", k_tanh_f32);
}

/* lstm_fwd(a, x, c, cn, h, q, otc, B, H): q and otc may be None (no backward factors). */
static PyObject *py_lstm_fwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "lstm_fwd";
    if (check_nargs(nargs, 9, op) < 0) return NULL;
    idx_t sz[2];
    if (get_ints(args + 7, sz, 2, op) < 0) return NULL;
    idx_t B = sz[0], H = sz[1];
    int grad = args[5] != Py_None;
    bufset s = {.n = 0};
    float *a = take(&s, args[0], op, "a", 'f', B * 4 * H, 1);
    const float *x = a ? take(&s, args[1], op, "x", 'f', B * 4 * H, 0) : NULL;
    const float *c = x ? take(&s, args[2], op, "c", 'f', B * H, 0) : NULL;
    float *cn = c ? take(&s, args[3], op, "cn", 'f', B * H, 1) : NULL;
    float *h = cn ? take(&s, args[4], op, "h", 'f', B * H, 1) : NULL;
    float *q = NULL, *otc = NULL;
    if (h && grad) {
        q = take(&s, args[5], op, "q", 'f', B * 4 * H, 1);
        otc = q ? take(&s, args[6], op, "otc", 'f', B * H, 1) : NULL;
    }
    if (!h || (grad && !otc)) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS k_lstm_fwd(B, H, a, x, c, cn, h, q, otc, grad);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

/* lstm_bwd(dh, gt, dc, otc, q, a, d, B, H) */
static PyObject *py_lstm_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "lstm_bwd";
    if (check_nargs(nargs, 9, op) < 0) return NULL;
    idx_t sz[2];
    if (get_ints(args + 7, sz, 2, op) < 0) return NULL;
    idx_t B = sz[0], H = sz[1];
    bufset s = {.n = 0};
    const float *dh = take(&s, args[0], op, "dh", 'f', B * H, 0);
    const float *gt = dh ? take(&s, args[1], op, "gt", 'f', B * H, 0) : NULL;
    float *dc = gt ? take(&s, args[2], op, "dc", 'f', B * H, 1) : NULL;
    const float *otc = dc ? take(&s, args[3], op, "otc", 'f', B * H, 0) : NULL;
    const float *q = otc ? take(&s, args[4], op, "q", 'f', B * 4 * H, 0) : NULL;
    const float *a = q ? take(&s, args[5], op, "a", 'f', B * 4 * H, 0) : NULL;
    float *d = a ? take(&s, args[6], op, "d", 'f', B * 4 * H, 1) : NULL;
    if (!d) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS k_lstm_bwd(B, H, dh, gt, dc, otc, q, a, d);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

static int parse_geom(PyObject *const *args, pool_geom *g, const char *op) {
    idx_t v[14];
    if (get_ints(args, v, 14, op) < 0) return -1;
    *g = (pool_geom){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                     v[12], v[13]};
    if (g->kh < 1 || g->kw < 1 || g->sh < 1 || g->sw < 1 || g->dh < 1 ||
        g->dw < 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s: kernel %zdx%zd, stride %zdx%zd, dilation %zdx%zd: need a positive "
                     "geometry",
                     op, g->kh, g->kw, g->sh, g->sw, g->dh, g->dw);
        return -1;
    }
    return 0;
}

/* maxpool_fwd(x, out, idx_or_None, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw) */
static PyObject *py_maxpool_fwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "maxpool_fwd";
    if (check_nargs(nargs, 17, op) < 0) return NULL;
    pool_geom g;
    if (parse_geom(args + 3, &g, op) < 0) return NULL;
    bufset s = {.n = 0};
    char fmt = float_format(args[0], op, "x");
    if (!fmt) return NULL;
    void *x = take(&s, args[0], op, "x", fmt, g.N * g.H * g.W * g.C, 0);
    void *out = x ? take(&s, args[1], op, "out", fmt, g.N * g.Ho * g.Wo * g.C, 1) : NULL;
    int32_t *idx = NULL;
    if (out && args[2] != Py_None)
        idx = take(&s, args[2], op, "idx", 'i', g.N * g.Ho * g.Wo * g.C, 1);
    if (!out || (args[2] != Py_None && !idx)) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_maxpool_fwd_f32(g, x, out, idx);
    else k_maxpool_fwd_f64(g, x, out, idx);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

/* maxpool_bwd(g, idx, gx, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw) */
static PyObject *py_maxpool_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "maxpool_bwd";
    if (check_nargs(nargs, 17, op) < 0) return NULL;
    pool_geom g;
    if (parse_geom(args + 3, &g, op) < 0) return NULL;
    char fmt = float_format(args[0], op, "g");
    if (!fmt) return NULL;
    bufset s = {.n = 0};
    void *gy = take(&s, args[0], op, "g", fmt, g.N * g.Ho * g.Wo * g.C, 0);
    int32_t *idx = gy ? take(&s, args[1], op, "idx", 'i', g.N * g.Ho * g.Wo * g.C, 0) : NULL;
    void *gx = idx ? take(&s, args[2], op, "gx", fmt, g.N * g.H * g.W * g.C, 1) : NULL;
    if (!gx) {
        release(&s);
        return NULL;
    }
    int disjoint = g.sh >= g.dh * (g.kh - 1) + 1 && g.sw >= g.dw * (g.kw - 1) + 1;
    int tiles = g.sh == g.kh && g.sw == g.kw && (g.dh == 1 || g.kh == 1) &&
                (g.dw == 1 || g.kw == 1) && g.pt == 0 && g.pl == 0 && g.Ho * g.kh == g.H &&
                g.Wo * g.kw == g.W;
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_maxpool_bwd_f32(g, gy, idx, gx, disjoint, tiles);
    else k_maxpool_bwd_f64(g, gy, idx, gx, disjoint, tiles);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

/* The row table (Ho * kh entries) followed by the column table (Wo * kw), or NULL. */
static idx_t *tables(const pool_geom *g) {
    idx_t *rt = PyMem_Malloc(sizeof(idx_t) * (size_t)(g->Ho * g->kh + g->Wo * g->kw + 1));
    if (!rt) {
        PyErr_NoMemory();
        return NULL;
    }
    window_table(g->Ho, g->kh, g->sh, g->pt, g->dh, g->H, rt);
    window_table(g->Wo, g->kw, g->sw, g->pl, g->dw, g->W, rt + g->Ho * g->kh);
    return rt;
}

/* im2col(x, cols, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw) */
static PyObject *py_im2col(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "im2col";
    if (check_nargs(nargs, 16, op) < 0) return NULL;
    pool_geom g;
    if (parse_geom(args + 2, &g, op) < 0) return NULL;
    char fmt = float_format(args[0], op, "x");
    if (!fmt) return NULL;
    bufset s = {.n = 0};
    void *x = take(&s, args[0], op, "x", fmt, g.N * g.H * g.W * g.C, 0);
    void *cols =
        x ? take(&s, args[1], op, "cols", fmt, g.N * g.Ho * g.Wo * g.kh * g.kw * g.C, 1) : NULL;
    if (!cols) {
        release(&s);
        return NULL;
    }
    idx_t *rt = tables(&g);
    if (!rt) {
        release(&s);
        return NULL;
    }
    idx_t *ct = rt + g.Ho * g.kh;
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_im2col_f32(g, x, cols, rt, ct);
    else k_im2col_f64(g, x, cols, rt, ct);
    Py_END_ALLOW_THREADS PyMem_Free(rt);
    release(&s);
    Py_RETURN_NONE;
}

/* col2im(cols, blocks_layout, dx, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw):
 * cols in block layout (kk, M, C) when blocks_layout is true, else row layout (M, kk*C). */
static PyObject *py_col2im(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "col2im";
    if (check_nargs(nargs, 17, op) < 0) return NULL;
    pool_geom g;
    if (parse_geom(args + 3, &g, op) < 0) return NULL;
    int blocks = PyObject_IsTrue(args[1]);
    if (blocks < 0) return NULL;
    char fmt = float_format(args[0], op, "cols");
    if (!fmt) return NULL;
    idx_t M = g.N * g.Ho * g.Wo, kk = g.kh * g.kw;
    bufset s = {.n = 0};
    void *cols = take(&s, args[0], op, "cols", fmt, M * kk * g.C, 0);
    void *dx = cols ? take(&s, args[2], op, "dx", fmt, g.N * g.H * g.W * g.C, 1) : NULL;
    if (!dx) {
        release(&s);
        return NULL;
    }
    idx_t sk = blocks ? M * g.C : g.C, sm = blocks ? g.C : kk * g.C;
    idx_t *rt = tables(&g);
    if (!rt) {
        release(&s);
        return NULL;
    }
    idx_t *ct = rt + g.Ho * g.kh;
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_col2im_f32(g, cols, sk, sm, dx, rt, ct);
    else k_col2im_f64(g, cols, sk, sm, dx, rt, ct);
    Py_END_ALLOW_THREADS PyMem_Free(rt);
    release(&s);
    Py_RETURN_NONE;
}

/* axpy(a, x, y, n): y += a * x for same-size float buffers (x read-only, y updated). */
static PyObject *py_axpy(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "axpy";
    if (check_nargs(nargs, 4, op) < 0) return NULL;
    double a = PyFloat_AsDouble(args[0]);
    if (a == -1.0 && PyErr_Occurred()) return NULL;
    idx_t n;
    if (get_ints(args + 3, &n, 1, op) < 0) return NULL;
    char fmt = float_format(args[1], op, "x");
    if (!fmt) return NULL;
    bufset s = {.n = 0};
    void *x = take(&s, args[1], op, "x", fmt, n, 0);
    void *y = x ? take(&s, args[2], op, "y", fmt, n, 1) : NULL;
    if (!y) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_axpy_f32(n, (float)a, x, y);
    else k_axpy_f64(n, a, x, y);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

/* gemm(A, sam, sak, B, sbk, sbn, C, M, N, K, beta): C (M, N) = A @ B (+ C if beta), float32.
 * A and B are taken as whole C-contiguous buffers and read through the given element strides
 * (so A.T or B.T are passed as their base arrays with swapped strides); every index the strides
 * reach is checked against the buffer sizes. B may be None with a prepacked panel buffer in
 * its place: pass the packed array as `B` and sbk = sbn = -1. */
static PyObject *py_gemm(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "gemm";
    if (check_nargs(nargs, 11, op) < 0) return NULL;
#if !defined(CR_GEMM)
    PyErr_SetString(PyExc_RuntimeError, "gemm: not compiled for this platform");
    return NULL;
#else
    if (!cpu_has_avx512()) {
        PyErr_SetString(PyExc_RuntimeError, "gemm: this CPU has no AVX-512F");
        return NULL;
    }
    idx_t v[4];
    if (get_ints(args + 1, v, 2, op) < 0) return NULL;
    idx_t sam = v[0], sak = v[1];
    PyObject *pb = args[3];
    idx_t sbk = PyLong_AsSsize_t(args[4]), sbn = PyLong_AsSsize_t(args[5]);
    if (PyErr_Occurred()) return NULL;
    if (get_ints(args + 7, v, 3, op) < 0) return NULL;
    idx_t M = v[0], N = v[1], K = v[2];
    int beta = PyObject_IsTrue(args[10]);
    if (beta < 0) return NULL;
    int prepacked = sbk == -1 && sbn == -1;
    bufset s = {.n = 0};
    idx_t na = count_f32(args[0]);
    if (na < 0) return NULL;
    const float *A = take(&s, args[0], op, "A", 'f', na, 0);
    if (!A) goto fail;
    if (M && K && (sam < 0 || sak < 0 || (M - 1) * sam + (K - 1) * sak >= na)) {
        PyErr_Format(PyExc_ValueError, "%s: A strides (%zd, %zd) reach past its %zd items", op,
                     sam, sak, na);
        goto fail;
    }
    idx_t panels = (N + 31) / 32;
    const float *B = NULL;
    if (prepacked) {
        B = take(&s, pb, op, "packed B", 'f', panels * K * 32, 0);
        if (!B) goto fail;
    } else {
        idx_t nb = count_f32(pb);
        if (nb < 0) goto fail;
        B = take(&s, pb, op, "B", 'f', nb, 0);
        if (!B) goto fail;
        if (N && K && (sbk < 0 || sbn < 0 || (K - 1) * sbk + (N - 1) * sbn >= nb)) {
            PyErr_Format(PyExc_ValueError, "%s: B strides (%zd, %zd) reach past its %zd items",
                         op, sbk, sbn, nb);
            goto fail;
        }
    }
    float *C = take(&s, args[6], op, "C", 'f', M * N, 1);
    if (!C) goto fail;
    float *Bp = NULL;
    if (!prepacked) {
        Bp = PyMem_Malloc(sizeof(float) * (size_t)(K * 32 + 16));
        if (!Bp) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_BEGIN_ALLOW_THREADS gemm_f32(M, N, K, A, sam, sak, B, sbk, sbn, C,
                                    prepacked ? (float *)B : Bp, prepacked, beta);
    Py_END_ALLOW_THREADS PyMem_Free(Bp);
    release(&s);
    Py_RETURN_NONE;
fail:
    release(&s);
    return NULL;
#endif
}

/* gemm_pack(B, sbk, sbn, K, N, out): B (K, N) through strides into panels (ceil(N/32), K, 32). */
static PyObject *py_gemm_pack(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "gemm_pack";
    if (check_nargs(nargs, 6, op) < 0) return NULL;
#if !defined(CR_GEMM)
    PyErr_SetString(PyExc_RuntimeError, "gemm_pack: not compiled for this platform");
    return NULL;
#else
    idx_t v[4];
    if (get_ints(args + 1, v, 4, op) < 0) return NULL;
    idx_t sbk = v[0], sbn = v[1], K = v[2], N = v[3];
    idx_t nb = count_f32(args[0]);
    if (nb < 0) return NULL;
    bufset s = {.n = 0};
    const float *B = take(&s, args[0], op, "B", 'f', nb, 0);
    if (B && N && K && (K - 1) * sbk + (N - 1) * sbn >= nb) {
        PyErr_Format(PyExc_ValueError, "%s: B strides reach past its %zd items", op, nb);
        B = NULL;
    }
    idx_t panels = (N + 31) / 32;
    float *out = B ? take(&s, args[5], op, "out", 'f', panels * K * 32, 1) : NULL;
    if (!out) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS for (idx_t p = 0; p < panels; p++) {
        idx_t n0 = p * 32, nw = N - n0 < 32 ? N - n0 : 32;
        gemm_pack(K, B, sbk, sbn, n0, nw, out + p * K * 32);
    }
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
#endif
}

static PyObject *py_has_gemm(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return PyBool_FromLong(cpu_has_avx512());
}

/* relu_bwd(g, y, gx, n): same-size buffers of the same float format. */
static PyObject *py_relu_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    const char *op = "relu_bwd";
    if (check_nargs(nargs, 4, op) < 0) return NULL;
    idx_t n;
    if (get_ints(args + 3, &n, 1, op) < 0) return NULL;
    char fmt = float_format(args[0], op, "g");
    if (!fmt) return NULL;
    bufset s = {.n = 0};
    void *g = take(&s, args[0], op, "g", fmt, n, 0);
    void *y = g ? take(&s, args[1], op, "y", fmt, n, 0) : NULL;
    void *gx = y ? take(&s, args[2], op, "gx", fmt, n, 1) : NULL;
    if (!gx) {
        release(&s);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS if (fmt == 'f') k_relu_bwd_f32(n, g, y, gx);
    else k_relu_bwd_f64(n, g, y, gx);
    Py_END_ALLOW_THREADS release(&s);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sigmoid_f32", (PyCFunction)(void (*)(void))py_sigmoid_f32, METH_FASTCALL,
     "sigmoid_f32(x, out): out = 1 / (1 + exp(-x)), float32"},
    {"tanh_f32", (PyCFunction)(void (*)(void))py_tanh_f32, METH_FASTCALL,
     "tanh_f32(x, out): out = tanh(x), float32"},
    {"lstm_fwd", (PyCFunction)(void (*)(void))py_lstm_fwd, METH_FASTCALL,
     "lstm_fwd(a, x, c, cn, h, q, otc, B, H): one LSTM step after the h @ W_hh^T GEMM"},
    {"lstm_bwd", (PyCFunction)(void (*)(void))py_lstm_bwd, METH_FASTCALL,
     "lstm_bwd(dh, gt, dc, otc, q, a, d, B, H): one step of LSTM backpropagation through time"},
    {"maxpool_fwd", (PyCFunction)(void (*)(void))py_maxpool_fwd, METH_FASTCALL,
     "maxpool_fwd(x, out, idx, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw)"},
    {"maxpool_bwd", (PyCFunction)(void (*)(void))py_maxpool_bwd, METH_FASTCALL,
     "maxpool_bwd(g, idx, gx, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw)"},
    {"im2col", (PyCFunction)(void (*)(void))py_im2col, METH_FASTCALL,
     "im2col(x, cols, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw)"},
    {"col2im", (PyCFunction)(void (*)(void))py_col2im, METH_FASTCALL,
     "col2im(cols, blocks_layout, dx, N, H, W, C, Ho, Wo, kh, kw, sh, sw, pt, pl, dh, dw)"},
    {"axpy", (PyCFunction)(void (*)(void))py_axpy, METH_FASTCALL,
     "axpy(a, x, y, n): y += a * x"},
    {"gemm", (PyCFunction)(void (*)(void))py_gemm, METH_FASTCALL,
     "gemm(A, sam, sak, B, sbk, sbn, C, M, N, K, beta): C = A @ B (+ C), float32, AVX-512"},
    {"gemm_pack", (PyCFunction)(void (*)(void))py_gemm_pack, METH_FASTCALL,
     "gemm_pack(B, sbk, sbn, K, N, out): B into 32-column panels for gemm"},
    {"has_gemm", (PyCFunction)(void (*)(void))py_has_gemm, METH_FASTCALL,
     "has_gemm(): whether gemm can run on this CPU (AVX-512F)"},
    {"relu_bwd", (PyCFunction)(void (*)(void))py_relu_bwd, METH_FASTCALL,
     "relu_bwd(g, y, gx, n): gx = y > 0 ? g : 0"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_cpu", "chainrule's optional compiled CPU kernels", -1, methods,
};

PyMODINIT_FUNC PyInit__cpu(void) { return PyModule_Create(&moduledef); }
