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
TM_KERNEL_SHARED const int8_t *tm_dot_2x2_asm(const int8_t *wp, const int16_t *cp, const int16_t *cend, int32_t *acc)
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

/*
 * int8 1x1 convolution (pointwise) without padding, input channels a multiple of 4, as a matrix
 * product over pixels: two output pixels at a time are expanded to int16 (no im2col call, the
 * pixels' channels are contiguous), then two filter rows at a time accumulate over them with
 * __SMLAD (2 rows x 2 pixels x 2 products per instruction). Filter rows as in tm_conv_s8_mm (pairs
 * interleaved per 4 bytes, an odd last row alone); q holds per pair of rows 6 words: the folded
 * biases (bias + input offset * row sum, where the sums start), the multipliers and the right shifts
 * minus 1 (a lone last row: 3 words); the generator has checked every channel for tm_rq_bounded.
 */
TM_INLINE void tm_pw_out(int8_t *y, int32_t acc, int32_t m, int32_t e1, int32_t off1, int32_t lo, int32_t hi)
{
    int32_t v = tm_rq_bounded(acc, m, e1, off1);
    *y = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

TM_KERNEL_O2 void tm_pw_s8(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                        const int32_t *q0, int16_t *col)
{
    const int in_c = p->in_c, out_c = p->out_c, out_w = p->out_w, per_img = p->out_h * p->out_w;
    const int pixels = p->batches * per_img, sh = p->stride_h, sw = p->stride_w, in_w = p->in_w;
    const int img = p->in_h * p->in_w * in_c;
    const int32_t off1 = 1 + 2 * p->out_off, act_min = p->act_min, act_max = p->act_max;
    int px, oc, c;
    for (px = 0; px < pixels; px += 2) {
        const int two = px + 1 < pixels;
        const int pb = two ? px + 1 : px;
        const int8_t *xa = x + (px / per_img) * img + (((px % per_img) / out_w) * sh * in_w
                                                       + ((px % per_img) % out_w) * sw) * in_c;
        const int8_t *xb = x + (pb / per_img) * img + (((pb % per_img) / out_w) * sh * in_w
                                                       + ((pb % per_img) % out_w) * sw) * in_c;
        int8_t *ya = y + px * out_c, *yb = ya + out_c;
        const int8_t *wp = w;
        const int16_t *cend = col + 2 * in_c;
        for (c = 0; c < in_c; c += 4) {
            tm_expand4(xa + c, col + 2 * c);
            tm_expand4(xb + c, col + 2 * c + 4);
        }
        const int32_t *q = q0;
        for (oc = 0; oc + 1 < out_c; oc += 2, q += 6) {
            int32_t a00 = q[0], a01 = a00, a10 = q[1], a11 = a10;
            const int16_t *cp = col;
            const int32_t m0 = q[2], m1 = q[3], s0 = q[4], s1 = q[5];
#if TM_DSP
            TM_DOT_2X2(wp, cp, cend, a00, a01, a10, a11);
#else
            do {
                a00 += (int32_t)wp[0] * cp[0] + (int32_t)wp[1] * cp[2] + (int32_t)wp[2] * cp[1] + (int32_t)wp[3] * cp[3];
                a01 += (int32_t)wp[0] * cp[4] + (int32_t)wp[1] * cp[6] + (int32_t)wp[2] * cp[5] + (int32_t)wp[3] * cp[7];
                a10 += (int32_t)wp[4] * cp[0] + (int32_t)wp[5] * cp[2] + (int32_t)wp[6] * cp[1] + (int32_t)wp[7] * cp[3];
                a11 += (int32_t)wp[4] * cp[4] + (int32_t)wp[5] * cp[6] + (int32_t)wp[6] * cp[5] + (int32_t)wp[7] * cp[7];
                wp += 8;
                cp += 8;
            } while (cp < cend);
#endif
            tm_pw_out(ya + oc, a00, m0, s0, off1, act_min, act_max);
            tm_pw_out(ya + oc + 1, a10, m1, s1, off1, act_min, act_max);
            if (two) {
                tm_pw_out(yb + oc, a01, m0, s0, off1, act_min, act_max);
                tm_pw_out(yb + oc + 1, a11, m1, s1, off1, act_min, act_max);
            }
        }
        if (oc < out_c) {
            int32_t a0 = q[0], a1 = a0;
            const int16_t *cp = col;
            do {
                a0 += (int32_t)wp[0] * cp[0] + (int32_t)wp[1] * cp[2] + (int32_t)wp[2] * cp[1] + (int32_t)wp[3] * cp[3];
                a1 += (int32_t)wp[0] * cp[4] + (int32_t)wp[1] * cp[6] + (int32_t)wp[2] * cp[5] + (int32_t)wp[3] * cp[7];
                wp += 4;
                cp += 8;
            } while (cp < cend);
            tm_pw_out(ya + oc, a0, q[1], q[2], off1, act_min, act_max);
            if (two) {
                tm_pw_out(yb + oc, a1, q[1], q[2], off1, act_min, act_max);
            }
        }
    }
}
