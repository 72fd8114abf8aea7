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

TM_KERNEL void tm_pw_s8(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
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
