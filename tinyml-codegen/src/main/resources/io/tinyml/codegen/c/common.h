/* Fixed-point helpers: TFLite's integer requantization semantics, written for this project. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#endif

/* Kernels stay out of line (the compiler may still specialise a copy for constant arguments). */
#if defined(__GNUC__) || defined(__clang__)
#define TM_KERNEL __attribute__((noinline)) static
#else
#define TM_KERNEL static
#endif

/*
 * A kernel compiled at -O2 whatever the build's level: gcc's -O3 copies of it are larger and no
 * faster (person_detect: the pointwise kernel 1,152 bytes smaller for the same instructions, the
 * one-channel 3x3 depthwise 172 bytes smaller for 70,000 more of 15.9 million).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define TM_KERNEL_O2 __attribute__((noinline, optimize("O2"))) static
#else
#define TM_KERNEL_O2 TM_KERNEL
#endif

/* A kernel with one copy for all its call sites (no per-call-site clones: small code per layer). */
#if defined(__GNUC__) && !defined(__clang__)
#define TM_KERNEL_SHARED __attribute__((noinline, noclone)) static
#elif defined(__clang__)
#define TM_KERNEL_SHARED __attribute__((noinline)) static
#else
#define TM_KERNEL_SHARED static
#endif

/* Small helpers the kernels' inner loops must not call out of line. */
#if defined(__GNUC__) || defined(__clang__)
#define TM_INLINE __attribute__((always_inline)) static inline
#else
#define TM_INLINE static inline
#endif

#define TM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TM_MAX(a, b) ((a) > (b) ? (a) : (b))

/* round(a * b / 2^31), saturated: gemmlowp's SaturatingRoundingDoublingHighMul. */
static inline int32_t tm_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    /*
     * (ab + nudge) / 2^31 truncated, nudge = 2^30 for ab >= 0 and 1 - 2^30 otherwise: for ab < 0 the
     * truncation adds 2^31 - 1 before the floor shift, so both cases are floor((ab + 2^30) / 2^31).
     */
    return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^e rounded half away from zero: gemmlowp's RoundingDivideByPOT. */
static inline int32_t tm_rdbpot(int32_t x, int e)
{
    int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    int32_t rem = x & mask;
    int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
}

/* TFLite's MultiplyByQuantizedMultiplier (shift > 0 is a left shift). */
static inline int32_t tm_mbqm(int32_t x, int32_t m, int s)
{
    int left = s > 0 ? s : 0;
    int right = s > 0 ? 0 : -s;
    return tm_rdbpot(tm_srdhm((int32_t)((uint32_t)x << left), m), right);
}

/*
 * tm_mbqm for a multiplier that is not INT32_MIN (the generator checks: convolution multipliers are
 * positive Q31 values), so the saturation case of the doubling high multiply cannot occur.
 */
static inline int32_t tm_mbqm_pos(int32_t x, int32_t m, int32_t s)
{
    int32_t hi, e, mask, rem, thr;
    if (s > 0) {
        x = (int32_t)((uint32_t)x << s);
        e = 0;
    } else {
        e = -s;
    }
    hi = (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
    mask = (int32_t)(((uint32_t)1 << e) - 1u);
    rem = hi & mask;
    thr = (mask >> 1) + (hi < 0);
    return (hi >> e) + (rem > thr);
}

/*
 * tm_mbqm_pos for an int8 kernel, whose result gets an output zero point (>= -128) added and is then
 * clamped to at most 127: for right shifts e of 1 to 23 the rounding division is one saturating add
 * and a shift. Rounding half away from zero by 2^e is (hi + 2^(e-1) - [hi < 0]) >> e; only hi above
 * INT32_MAX - 2^(e-1) overflows, where the true result is at least 2^(31-e) >= 256 and the saturated
 * one at least 2^(31-e) - 1 >= 255: both reach the clamp (>= 127 after the zero point), same byte.
 */
static inline int32_t tm_requant_s8(int32_t x, int32_t m, int32_t s)
{
    int32_t hi, e;
    if (s >= 0 || s < -23) {
        return tm_mbqm_pos(x, m, s);
    }
    e = -s;
    hi = (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    return __qadd(hi, (int32_t)(1u << (e - 1)) + (hi >> 31)) >> e;
#else
    {
        int64_t t = (int64_t)hi + ((int64_t)1 << (e - 1)) - (hi < 0);
        return (int32_t)(t > INT32_MAX ? INT32_MAX : t) >> e;
    }
#endif
}

static inline int8_t tm_clamp_s8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* Geometry and quantization of a window operator (convolution, depthwise, pooling). */
typedef struct {
    int16_t in_h, in_w, in_c, k_h, k_w, f_in, out_h, out_w, out_c;
    int16_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w, batches;
    int32_t in_off, out_off, act_min, act_max;
} tm_win_params;

/*
 * Requantization for an accumulator the generator has bounded: |acc| < 2^30 (bias + 255 * sum |w|
 * per channel) and a right shift e = -shift >= 1. Then 2 acc fits in 32 bits and TFLite's doubling
 * high multiply round(acc * m / 2^31) is SMMULR(2 acc, m) = (2 acc m + 2^31) >> 32 exactly, with
 * |hi| < 2^30. Its rounding division by 2^e (half away from zero), (hi + 2^(e-1) - [hi < 0]) >> e,
 * equals ((((hi + (hi >> 31)) >> (e-1)) + 1) >> 1 (floors nest), and the output zero point z joins
 * the last halving as + 2z. The generator passes e1 = e - 1 and off1 = 1 + 2z: the result is
 * tm_mbqm(acc, m, shift) + z, bit for bit, before the activation clamp.
 */
TM_INLINE int32_t tm_rq_bounded(int32_t acc, int32_t m, int32_t e1, int32_t off1)
{
    int32_t hi;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    __asm__("smmulr %0, %1, %2" : "=r"(hi) : "r"((int32_t)((uint32_t)acc << 1)), "r"(m));
#else
    hi = (int32_t)(((int64_t)acc * 2 * m + ((int64_t)1 << 31)) >> 32);
#endif
    return (((hi + (hi >> 31)) >> e1) + off1) >> 1;
}
