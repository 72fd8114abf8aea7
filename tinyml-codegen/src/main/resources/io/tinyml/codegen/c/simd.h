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
