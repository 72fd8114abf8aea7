/* 4 x int8 dot-product helpers: ACLE DSP intrinsics when the core has them, portable C otherwise. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TM_DSP 1
#else
#define TM_DSP 0
#endif

static inline uint32_t tm_ror(uint32_t v, unsigned r)
{
    return (v >> r) | (v << (32u - r));
}

static inline uint32_t tm_rd32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void tm_wr32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#if TM_DSP
/* SXTB16 of the word rotated right by 8 bits, as one instruction. */
static inline int16x2_t tm_sxtb16_ror8(uint32_t v)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
#endif

/* Expands 4 int8 to int16 in lane order (0, 2, 1, 3), the order SXTB16 produces. */
static inline void tm_expand4(const int8_t *x, int16_t *col)
{
#if TM_DSP
    uint32_t v = tm_rd32(x);
    tm_wr32(col, (uint32_t)__sxtb16(v));
    tm_wr32(col + 2, (uint32_t)tm_sxtb16_ror8(v));
#else
    col[0] = x[0];
    col[1] = x[2];
    col[2] = x[1];
    col[3] = x[3];
#endif
}

#if TM_DSP
/* One step of 4 values of the 2 rows x 2 pixels block (see TM_DOT_2X2), in C. */
#define TM_DOT_2X2_C(wp, cp, a00, a01, a10, a11)                                                    \
    do {                                                                                             \
        uint32_t v0_ = tm_rd32(wp), v1_ = tm_rd32((wp) + 4);                                         \
        int16x2_t l0_ = __sxtb16(v0_), h0_ = tm_sxtb16_ror8(v0_);                                    \
        int16x2_t l1_ = __sxtb16(v1_), h1_ = tm_sxtb16_ror8(v1_);                                    \
        int16x2_t x0_ = (int16x2_t)tm_rd32(cp), x1_ = (int16x2_t)tm_rd32((cp) + 2);                  \
        int16x2_t x2_ = (int16x2_t)tm_rd32((cp) + 4), x3_ = (int16x2_t)tm_rd32((cp) + 6);            \
        a00 = __smlad(l0_, x0_, a00);                                                                \
        a10 = __smlad(l1_, x0_, a10);                                                                \
        a00 = __smlad(h0_, x1_, a00);                                                                \
        a10 = __smlad(h1_, x1_, a10);                                                                \
        a01 = __smlad(l0_, x2_, a01);                                                                \
        a11 = __smlad(l1_, x2_, a11);                                                                \
        a01 = __smlad(h0_, x3_, a01);                                                                \
        a11 = __smlad(h1_, x3_, a11);                                                                \
        (wp) += 8;                                                                                   \
        (cp) += 8;                                                                                   \
    } while (0)

/* 4 values of one row against both pixels' columns (held in c0_..c3_), inside TM_DOT_2X2's asm. */
#define TM_DOT_ROW_(lo, hi)                                                                          \
    "ldr %[r], [%[wp]], #4\n\t"                                                                      \
    "sxtb16 %[t], %[r]\n\t"                                                                          \
    "smlad %[" lo "], %[t], %[c0], %[" lo "]\n\t"                                                    \
    "smlad %[" hi "], %[t], %[c2], %[" hi "]\n\t"                                                    \
    "sxtb16 %[t], %[r], ror #8\n\t"                                                                  \
    "smlad %[" lo "], %[t], %[c1], %[" lo "]\n\t"                                                    \
    "smlad %[" hi "], %[t], %[c3], %[" hi "]\n\t"

/*
 * The 2 filter rows x 2 pixels block of the matrix-product convolutions over cp .. cend (a multiple
 * of 16 int16: 8 values of both pixels): per 4 values one LDM of the two pixels' int16 columns (A
 * low, A high, B low, B high: fixed registers r0-r3, as LDM fills registers in ascending order), per
 * row one LDR, two SXTB16 and four SMLAD. Out of line, so that its 13 registers are free (acc: the
 * four sums in and out); returns the advanced filter pointer.
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, noclone))
#else
__attribute__((noinline))
#endif
static const int8_t *tm_dot_2x2_asm(const int8_t *wp, const int16_t *cp, const int16_t *cend, int32_t *acc)
{
    register uint32_t c0_ __asm__("r0");
    register uint32_t c1_ __asm__("r1");
    register uint32_t c2_ __asm__("r2");
    register uint32_t c3_ __asm__("r3");
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    uint32_t r_, t_;
    /* no pure inputs: every operand is an output, so none shares a register with r0-r3 */
    __asm__ volatile(
        "1:\n\t"
        "ldmia %[cp]!, {%[c0], %[c1], %[c2], %[c3]}\n\t"
        TM_DOT_ROW_("a00", "a01")
        TM_DOT_ROW_("a10", "a11")
        "ldmia %[cp]!, {%[c0], %[c1], %[c2], %[c3]}\n\t"
        TM_DOT_ROW_("a00", "a01")
        TM_DOT_ROW_("a10", "a11")
        "cmp %[cp], %[ce]\n\t"
        "bne 1b\n\t"
        : [cp] "+r"(cp), [wp] "+r"(wp), [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11),
          [ce] "+r"(cend), [c0] "=r"(c0_), [c1] "=r"(c1_), [c2] "=r"(c2_), [c3] "=r"(c3_), [r] "=r"(r_),
          [t] "=r"(t_)
        :
        : "cc", "memory");
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
    return wp;
}

/* The block over cp .. cend: C steps for short rows (the call costs more) and an odd step, else the asm. */
#define TM_DOT_2X2(wp, cp, cend, a00, a01, a10, a11)                                                  \
    do {                                                                                             \
        if ((cend) - (cp) < 64) {                                                                    \
            do {                                                                                     \
                TM_DOT_2X2_C(wp, cp, a00, a01, a10, a11);                                            \
            } while ((cp) != (cend));                                                                \
        } else {                                                                                     \
            int32_t acc_[4];                                                                         \
            if ((((cend) - (cp)) & 8) != 0) {                                                        \
                TM_DOT_2X2_C(wp, cp, a00, a01, a10, a11);                                            \
            }                                                                                        \
            acc_[0] = a00;                                                                           \
            acc_[1] = a01;                                                                           \
            acc_[2] = a10;                                                                           \
            acc_[3] = a11;                                                                           \
            wp = tm_dot_2x2_asm(wp, cp, cend, acc_);                                                 \
            a00 = acc_[0];                                                                           \
            a01 = acc_[1];                                                                           \
            a10 = acc_[2];                                                                           \
            a11 = acc_[3];                                                                           \
        }                                                                                            \
    } while (0)
#endif
