/*
 * int8 convolution as a matrix product (groups of 1). Two output pixels at a time: their input
 * windows are expanded into int16 columns, interleaved per 4 values (8 bytes of pixel A, 8 of
 * pixel B; padding holds the input zero point, which contributes nothing once the input offset is
 * folded into the bias). Filters are rows of k4 = roundup(kh*kw*cin, 4) bytes (zero padded), pairs
 * of rows interleaved per 4 bytes; an odd last row stands alone. bias_f[oc] = bias[oc] + in_off *
 * sum(filter row): exact in 32-bit wrapping arithmetic, as the reference.
 */
#define tm_requant(acc, m, s, p) tm_clamp_s8(tm_requant_s8((acc), (m), (s)) + out_off, act_min, act_max)

/* r = {row0 . A, row0 . B, row1 . A, row1 . B} over k4 values; w holds the two rows interleaved. */
static void tm_dot_2x2(const int8_t *w, const int16_t *col, int k4, int32_t *r)
{
    int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    const int8_t *end = w + 2 * k4;
#if TM_DSP
    while (w < end) {
        uint32_t v0 = tm_rd32(w), v1 = tm_rd32(w + 4);
        int16x2_t l0 = __sxtb16(v0), h0 = tm_sxtb16_ror8(v0);
        int16x2_t l1 = __sxtb16(v1), h1 = tm_sxtb16_ror8(v1);
        int16x2_t x0 = (int16x2_t)tm_rd32(col), x1 = (int16x2_t)tm_rd32(col + 2);
        a00 = __smlad(l0, x0, a00);
        a10 = __smlad(l1, x0, a10);
        a00 = __smlad(h0, x1, a00);
        a10 = __smlad(h1, x1, a10);
        x0 = (int16x2_t)tm_rd32(col + 4);
        x1 = (int16x2_t)tm_rd32(col + 6);
        a01 = __smlad(l0, x0, a01);
        a11 = __smlad(l1, x0, a11);
        a01 = __smlad(h0, x1, a01);
        a11 = __smlad(h1, x1, a11);
        w += 8;
        col += 8;
    }
#else
    while (w < end) {
        a00 += (int32_t)w[0] * col[0] + (int32_t)w[1] * col[2] + (int32_t)w[2] * col[1] + (int32_t)w[3] * col[3];
        a01 += (int32_t)w[0] * col[4] + (int32_t)w[1] * col[6] + (int32_t)w[2] * col[5] + (int32_t)w[3] * col[7];
        a10 += (int32_t)w[4] * col[0] + (int32_t)w[5] * col[2] + (int32_t)w[6] * col[1] + (int32_t)w[7] * col[3];
        a11 += (int32_t)w[4] * col[4] + (int32_t)w[5] * col[6] + (int32_t)w[6] * col[5] + (int32_t)w[7] * col[7];
        w += 8;
        col += 8;
    }
#endif
    r[0] = a00;
    r[1] = a01;
    r[2] = a10;
    r[3] = a11;
}

/* r = {row . A, row . B} for a single (non-interleaved) row. */
static void tm_dot_1x2(const int8_t *w, const int16_t *col, int k4, int32_t *r)
{
    int32_t a0 = 0, a1 = 0;
    const int8_t *end = w + k4;
    while (w < end) {
#if TM_DSP
        uint32_t v0 = tm_rd32(w);
        int16x2_t l0 = __sxtb16(v0), h0 = tm_sxtb16_ror8(v0);
        a0 = __smlad(l0, (int16x2_t)tm_rd32(col), a0);
        a0 = __smlad(h0, (int16x2_t)tm_rd32(col + 2), a0);
        a1 = __smlad(l0, (int16x2_t)tm_rd32(col + 4), a1);
        a1 = __smlad(h0, (int16x2_t)tm_rd32(col + 6), a1);
#else
        a0 += (int32_t)w[0] * col[0] + (int32_t)w[1] * col[2] + (int32_t)w[2] * col[1] + (int32_t)w[3] * col[3];
        a1 += (int32_t)w[0] * col[4] + (int32_t)w[1] * col[6] + (int32_t)w[2] * col[5] + (int32_t)w[3] * col[7];
#endif
        w += 4;
        col += 8;
    }
    r[0] = a0;
    r[1] = a1;
}

TM_KERNEL void tm_conv_s8_mm(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                          const int32_t *bias_f, const int32_t *mult, const int32_t *shift, int16_t *col)
{
    const int out_c = p->out_c, k4 = (p->k_h * p->k_w * p->in_c + 3) & ~3;
    const int pixels = p->batches * p->out_h * p->out_w;
    const int32_t out_off = p->out_off, act_min = p->act_min, act_max = p->act_max;
    int px, oc;
    for (px = 0; px < pixels; px += 2) {
        const int two = px + 1 < pixels;
        int8_t *ya = y + px * out_c, *yb = ya + out_c;
        const int8_t *wp = w;
        tm_im2col_s8(p, x, px, col, k4);
        tm_im2col_s8(p, x, two ? px + 1 : px, col + 4, k4);
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            int32_t acc[4];
            tm_dot_2x2(wp, col, k4, acc);
            wp += 2 * k4;
            ya[oc] = tm_requant(acc[0] + bias_f[oc], mult[oc], shift[oc], p);
            ya[oc + 1] = tm_requant(acc[2] + bias_f[oc + 1], mult[oc + 1], shift[oc + 1], p);
            if (two) {
                yb[oc] = tm_requant(acc[1] + bias_f[oc], mult[oc], shift[oc], p);
                yb[oc + 1] = tm_requant(acc[3] + bias_f[oc + 1], mult[oc + 1], shift[oc + 1], p);
            }
        }
        if (oc < out_c) {
            int32_t acc[2];
            tm_dot_1x2(wp, col, k4, acc);
            ya[oc] = tm_requant(acc[0] + bias_f[oc], mult[oc], shift[oc], p);
            if (two) {
                yb[oc] = tm_requant(acc[1] + bias_f[oc], mult[oc], shift[oc], p);
            }
        }
    }
}

#undef tm_requant
