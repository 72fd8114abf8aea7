/*
 * int8 3x3 depthwise convolution of a one-channel input (depth multiplier = output channels),
 * dilation 1: per output pixel its 9 input bytes (the zero point in the padding; the input offset
 * is folded into bias_f) are packed once into 5 int16 pairs, then every output channel is 5 __SMLAD
 * against its weights, which the generator stores as int16 pairs (w0 w1, w2 w3, w4 w5, w6 w7, w8 0).
 * Requantization by tm_rq_bounded (e1: right shifts minus 1; the generator has checked every channel).
 */
TM_KERNEL_O2 void tm_dw1_3x3_s8(const tm_win_params *p, const int8_t *x, int8_t *y, const int16_t *w2,
                             const int32_t *bias_f, const int32_t *mult, const int32_t *e1)
{
    const int in_h = p->in_h, in_w = p->in_w, out_c = p->out_c, out_h = p->out_h, out_w = p->out_w;
    const int sh = p->stride_h, sw = p->stride_w, ph = p->pad_h, pw = p->pad_w, batches = p->batches;
    const int32_t off1 = 1 + 2 * p->out_off, act_min = p->act_min, act_max = p->act_max;
    const int32_t zp = -p->in_off;
    int b, oy, ox, oc, t;
    for (b = 0; b < batches; b++) {
        const int8_t *xi = x + b * in_h * in_w;
        for (oy = 0; oy < out_h; oy++) {
            const int iy0 = oy * sh - ph;
            for (ox = 0; ox < out_w; ox++, y += out_c) {
                const int ix0 = ox * sw - pw;
                int32_t v[10];
                uint32_t q0, q1, q2, q3, q4;
                const int16_t *wp = w2;
                if (iy0 >= 0 && iy0 + 2 < in_h && ix0 >= 0 && ix0 + 2 < in_w) {
                    const int8_t *r = xi + iy0 * in_w + ix0;
                    v[0] = r[0];
                    v[1] = r[1];
                    v[2] = r[2];
                    v[3] = r[in_w];
                    v[4] = r[in_w + 1];
                    v[5] = r[in_w + 2];
                    v[6] = r[2 * in_w];
                    v[7] = r[2 * in_w + 1];
                    v[8] = r[2 * in_w + 2];
                } else {
                    /* border pixels are the fewer: a loop, not unrolled, keeps the code small */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1
#endif
                    for (t = 0; t < 9; t++) {
                        const int iy = iy0 + t / 3, ix = ix0 + t % 3;
                        v[t] = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w ? xi[iy * in_w + ix] : zp;
                    }
                }
                v[9] = 0;
                q0 = (uint32_t)(uint16_t)v[0] | ((uint32_t)v[1] << 16);
                q1 = (uint32_t)(uint16_t)v[2] | ((uint32_t)v[3] << 16);
                q2 = (uint32_t)(uint16_t)v[4] | ((uint32_t)v[5] << 16);
                q3 = (uint32_t)(uint16_t)v[6] | ((uint32_t)v[7] << 16);
                q4 = (uint32_t)(uint16_t)v[8];
                for (oc = 0; oc < out_c; oc++, wp += 10) {
                    int32_t acc = bias_f[oc], r;
#if TM_DSP
                    acc = __smlad((int16x2_t)tm_rd32(wp), (int16x2_t)q0, acc);
                    acc = __smlad((int16x2_t)tm_rd32(wp + 2), (int16x2_t)q1, acc);
                    acc = __smlad((int16x2_t)tm_rd32(wp + 4), (int16x2_t)q2, acc);
                    acc = __smlad((int16x2_t)tm_rd32(wp + 6), (int16x2_t)q3, acc);
                    acc = __smlad((int16x2_t)tm_rd32(wp + 8), (int16x2_t)q4, acc);
#else
                    (void)q0;
                    (void)q1;
                    (void)q2;
                    (void)q3;
                    (void)q4;
                    for (t = 0; t < 10; t++) {
                        acc += (int32_t)wp[t] * v[t];
                    }
#endif
                    r = tm_rq_bounded(acc, mult[oc], e1[oc], off1);
                    y[oc] = (int8_t)TM_MIN(TM_MAX(r, act_min), act_max);
                }
            }
        }
    }
}
