/*
 * int8 3x3 depthwise convolution, depth multiplier 1, dilation 1, channels a multiple of 4: the
 * input offset is folded into the bias (bias + input offset * sum of the channel's 9 weights), so an
 * interior output pixel is 9 unrolled taps of raw bytes, 4 channels at a time (SXTB16 and
 * SMLABB/SMLATT on DSP cores; the weights re-laid out by the generator as [c/4][3][3][4], the order
 * these loops read them); a border pixel reads the zero point (input offset negated, which
 * the fold turns into 0) for its taps in the padding. Requantization by tm_rq_bounded (the
 * generator has checked every channel). q0: per 4 channels 12 words, their folded biases,
 * multipliers and right shifts minus 1, read with one pointer.
 */
#if TM_DSP
#define TM_DW3_TAP(xp, wp)                                                                           \
    do {                                                                                             \
        uint32_t xv_ = tm_rd32(xp), wv_ = tm_rd32(wp);                                               \
        int16x2_t xl_ = __sxtb16(xv_), xh_ = tm_sxtb16_ror8(xv_);                                    \
        int16x2_t wl_ = __sxtb16(wv_), wh_ = tm_sxtb16_ror8(wv_);                                    \
        a0 = __smlabb(wl_, xl_, a0);                                                                 \
        a2 = __smlatt(wl_, xl_, a2);                                                                 \
        a1 = __smlabb(wh_, xh_, a1);                                                                 \
        a3 = __smlatt(wh_, xh_, a3);                                                                 \
    } while (0)
#else
#define TM_DW3_TAP(xp, wp)                                                                           \
    do {                                                                                             \
        a0 += (int32_t)(wp)[0] * (xp)[0];                                                            \
        a1 += (int32_t)(wp)[1] * (xp)[1];                                                            \
        a2 += (int32_t)(wp)[2] * (xp)[2];                                                            \
        a3 += (int32_t)(wp)[3] * (xp)[3];                                                            \
    } while (0)
#endif

/* q: the group's 4 multipliers, then its 4 right shifts minus 1 */
TM_INLINE void tm_dw3_out(int8_t *y, const int32_t *q, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                          int32_t off1, int32_t lo, int32_t hi)
{
    int32_t v0 = tm_rq_bounded(a0, q[0], q[4], off1);
    int32_t v1 = tm_rq_bounded(a1, q[1], q[5], off1);
    int32_t v2 = tm_rq_bounded(a2, q[2], q[6], off1);
    int32_t v3 = tm_rq_bounded(a3, q[3], q[7], off1);
    y[0] = (int8_t)TM_MIN(TM_MAX(v0, lo), hi);
    y[1] = (int8_t)TM_MIN(TM_MAX(v1, lo), hi);
    y[2] = (int8_t)TM_MIN(TM_MAX(v2, lo), hi);
    y[3] = (int8_t)TM_MIN(TM_MAX(v3, lo), hi);
}

TM_KERNEL void tm_dw3_s8(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                         const int32_t *q0)
{
    const int in_h = p->in_h, in_w = p->in_w, c_n = p->in_c, out_h = p->out_h, out_w = p->out_w;
    const int sh = p->stride_h, sw = p->stride_w, ph = p->pad_h, pw = p->pad_w, batches = p->batches;
    const int row = in_w * c_n, c2 = 2 * c_n;
    const int32_t off1 = 1 + 2 * p->out_off, act_min = p->act_min, act_max = p->act_max;
    const int8_t zp = (int8_t)(-p->in_off);
    const int8_t zp4[4] = {zp, zp, zp, zp};
    int b, oy, ox, c, t;
    for (b = 0; b < batches; b++) {
        const int8_t *xi = x + b * in_h * row;
        for (oy = 0; oy < out_h; oy++) {
            const int iy0 = oy * sh - ph;
            const int rows_in = iy0 >= 0 && iy0 + 2 < in_h;
            for (ox = 0; ox < out_w; ox++, y += c_n) {
                const int ix0 = ox * sw - pw;
                const int8_t *wp = w;
                const int32_t *q = q0;
                if (rows_in && ix0 >= 0 && ix0 + 2 < in_w) {
                    const int8_t *r0 = xi + iy0 * row + ix0 * c_n, *r1 = r0 + row, *r2 = r1 + row;
                    for (c = 0; c < c_n; c += 4, r0 += 4, r1 += 4, r2 += 4, wp += 36, q += 12) {
                        int32_t a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3];
                        TM_DW3_TAP(r0, wp);
                        TM_DW3_TAP(r0 + c_n, wp + 4);
                        TM_DW3_TAP(r0 + c2, wp + 8);
                        TM_DW3_TAP(r1, wp + 12);
                        TM_DW3_TAP(r1 + c_n, wp + 16);
                        TM_DW3_TAP(r1 + c2, wp + 20);
                        TM_DW3_TAP(r2, wp + 24);
                        TM_DW3_TAP(r2 + c_n, wp + 28);
                        TM_DW3_TAP(r2 + c2, wp + 32);
                        tm_dw3_out(y + c, q + 4, a0, a1, a2, a3, off1, act_min, act_max);
                    }
                } else {
                    /* per tap its input pixel, or 0 in the padding: raw zero point bytes there */
                    const int8_t *tp[9];
                    for (t = 0; t < 9; t++) {
                        const int iy = iy0 + t / 3, ix = ix0 + t % 3;
                        tp[t] = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w ? xi + iy * row + ix * c_n : 0;
                    }
                    for (c = 0; c < c_n; c += 4, wp += 36, q += 12) {
                        int32_t a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3];
                        for (t = 0; t < 9; t++) {
                            TM_DW3_TAP(tp[t] != 0 ? tp[t] + c : zp4, wp + 4 * t);
                        }
                        tm_dw3_out(y + c, q + 4, a0, a1, a2, a3, off1, act_min, act_max);
                    }
                }
            }
        }
    }
}

#undef TM_DW3_TAP
