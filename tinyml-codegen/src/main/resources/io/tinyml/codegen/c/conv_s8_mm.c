/*
 * int8 convolution as a matrix product (groups of 1): for two output pixels at a time the input
 * window is expanded into int16 columns (padding holds the input zero point, so it contributes
 * nothing once the input offset is folded into the bias), then multiplied with two filter rows at a
 * time. Filters are rows of k4 = roundup(kh*kw*cin, 4) bytes (zero padded); bias_f[oc] = bias[oc] +
 * in_off * sum(filter row): exact in 32-bit wrapping arithmetic, as the reference.
 */
static void tm_im2col_s8(const tm_win_params *p, const int8_t *x, int b, int oy, int ox, int16_t *col, int k4)
{
    static const uint8_t perm[4] = {0, 2, 1, 3};
    const int in_c = p->in_c, iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    const int16_t zp = (int16_t)(-p->in_off);
    int k = 0, ky, kx, c;
    if (p->k_h == 1 && p->k_w == 1 && (in_c & 3) == 0 && iy0 >= 0 && ix0 >= 0) {
        const int8_t *xp = x + ((b * p->in_h + iy0) * p->in_w + ix0) * in_c;
        for (c = 0; c < in_c; c += 4) {
            tm_expand4(xp + c, col + c);
        }
        return;
    }
    for (ky = 0; ky < p->k_h; ky++) {
        const int iy = iy0 + p->dil_h * ky;
        for (kx = 0; kx < p->k_w; kx++) {
            const int ix = ix0 + p->dil_w * kx;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (c = 0; c < in_c; c++, k++) {
                    col[(k & ~3) | perm[k & 3]] = zp;
                }
            } else {
                const int8_t *xp = x + ((b * p->in_h + iy) * p->in_w + ix) * in_c;
                for (c = 0; c < in_c; c++, k++) {
                    col[(k & ~3) | perm[k & 3]] = xp[c];
                }
            }
        }
    }
    for (; k < k4; k++) {
        col[(k & ~3) | perm[k & 3]] = 0;
    }
}

static inline int8_t tm_requant(int32_t acc, int32_t m, int32_t s, const tm_win_params *p)
{
    return tm_clamp_s8(tm_mbqm(acc, m, (int)s) + p->out_off, p->act_min, p->act_max);
}

#if TM_DSP
#define TM_MAC4(acc, wl, wh, c) \
    acc = __smlad((int16x2_t)(wl), (int16x2_t)tm_rd32(c), acc); \
    acc = __smlad((int16x2_t)(wh), (int16x2_t)tm_rd32((c) + 2), acc)
#else
#define TM_MAC4(acc, wp, unused, c) \
    acc += (int32_t)(wp)[0] * (c)[0] + (int32_t)(wp)[1] * (c)[2] + (int32_t)(wp)[2] * (c)[1] + (int32_t)(wp)[3] * (c)[3]
#endif

/* acc[i][j] = sum over k4 of filter row i times column j (2 x 2 block). */
static void tm_dot_2x2(const int8_t *w0, const int8_t *w1, const int16_t *ca, const int16_t *cb, int k4,
                       int32_t *r)
{
    int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    int k;
    for (k = 0; k < k4; k += 4) {
#if TM_DSP
        uint32_t v0 = tm_rd32(w0 + k), v1 = tm_rd32(w1 + k);
        int16x2_t l0 = __sxtb16(v0), h0 = __sxtb16(tm_ror(v0, 8));
        int16x2_t l1 = __sxtb16(v1), h1 = __sxtb16(tm_ror(v1, 8));
        TM_MAC4(a00, l0, h0, ca + k);
        TM_MAC4(a01, l0, h0, cb + k);
        TM_MAC4(a10, l1, h1, ca + k);
        TM_MAC4(a11, l1, h1, cb + k);
#else
        TM_MAC4(a00, w0 + k, 0, ca + k);
        TM_MAC4(a01, w0 + k, 0, cb + k);
        TM_MAC4(a10, w1 + k, 0, ca + k);
        TM_MAC4(a11, w1 + k, 0, cb + k);
#endif
    }
    r[0] = a00;
    r[1] = a01;
    r[2] = a10;
    r[3] = a11;
}

static int32_t tm_dot_1x1(const int8_t *w0, const int16_t *ca, int k4)
{
    int32_t a = 0;
    int k;
    for (k = 0; k < k4; k += 4) {
#if TM_DSP
        uint32_t v0 = tm_rd32(w0 + k);
        int16x2_t l0 = __sxtb16(v0), h0 = __sxtb16(tm_ror(v0, 8));
        TM_MAC4(a, l0, h0, ca + k);
#else
        TM_MAC4(a, w0 + k, 0, ca + k);
#endif
    }
    return a;
}

static void tm_conv_s8_mm(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                          const int32_t *bias_f, const int32_t *mult, const int32_t *shift, int16_t *col)
{
    const int out_c = p->out_c, k4 = (p->k_h * p->k_w * p->in_c + 3) & ~3;
    const int pixels = p->batches * p->out_h * p->out_w, per_img = p->out_h * p->out_w;
    int16_t *cb = col + k4;
    int px, oc;
    for (px = 0; px < pixels; px += 2) {
        const int two = px + 1 < pixels;
        int8_t *ya = y + px * out_c, *yb = ya + out_c;
        int b = px / per_img, r = px % per_img;
        tm_im2col_s8(p, x, b, r / p->out_w, r % p->out_w, col, k4);
        if (two) {
            b = (px + 1) / per_img;
            r = (px + 1) % per_img;
            tm_im2col_s8(p, x, b, r / p->out_w, r % p->out_w, cb, k4);
        }
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            int32_t acc[4];
            const int8_t *w0 = w + oc * k4;
            tm_dot_2x2(w0, w0 + k4, col, two ? cb : col, k4, acc);
            ya[oc] = tm_requant(acc[0] + bias_f[oc], mult[oc], shift[oc], p);
            ya[oc + 1] = tm_requant(acc[2] + bias_f[oc + 1], mult[oc + 1], shift[oc + 1], p);
            if (two) {
                yb[oc] = tm_requant(acc[1] + bias_f[oc], mult[oc], shift[oc], p);
                yb[oc + 1] = tm_requant(acc[3] + bias_f[oc + 1], mult[oc + 1], shift[oc + 1], p);
            }
        }
        if (oc < out_c) {
            const int8_t *w0 = w + oc * k4;
            ya[oc] = tm_requant(tm_dot_1x1(w0, col, k4) + bias_f[oc], mult[oc], shift[oc], p);
            if (two) {
                yb[oc] = tm_requant(tm_dot_1x1(w0, cb, k4) + bias_f[oc], mult[oc], shift[oc], p);
            }
        }
    }
}
