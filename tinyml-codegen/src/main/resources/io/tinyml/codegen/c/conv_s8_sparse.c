/*
 * int8 convolution as a matrix product with sparse filters (chosen by the generator only where it is
 * smaller and faster than dense): row oc has counts[oc] non-zero weights vals[..], each with its offset
 * in the interleaved im2col columns of tm_im2col_s8 (pixel A at col[off], pixel B at col[off + 4]).
 * bias_f[oc] = bias[oc] + in_off * sum(row oc): the dense kernel's sum in 32-bit wrapping arithmetic.
 */
TM_KERNEL void tm_conv_s8_sparse(const tm_win_params *p, const int8_t *x, int8_t *y, const uint16_t *counts,
                              const uint16_t *offs, const int8_t *vals, const int32_t *bias_f,
                              const int32_t *mult, const int32_t *shift, int16_t *col)
{
    const int out_c = p->out_c, k4 = (p->k_h * p->k_w * p->in_c + 3) & ~3;
    const int pixels = p->batches * p->out_h * p->out_w;
    const int32_t out_off = p->out_off, act_min = p->act_min, act_max = p->act_max;
    int px, oc;
    for (px = 0; px < pixels; px += 2) {
        const int two = px + 1 < pixels;
        int8_t *ya = y + px * out_c, *yb = ya + out_c;
        const uint16_t *op = offs;
        const int8_t *vp = vals;
        tm_im2col_s8(p, x, px, col, k4);
        tm_im2col_s8(p, x, two ? px + 1 : px, col + 4, k4);
        for (oc = 0; oc < out_c; oc++) {
            int32_t a = bias_f[oc], b = a;
            const int8_t *end = vp + counts[oc];
            while (vp < end) {
                const int16_t *c = col + *op++;
                const int32_t v = *vp++;
                a += v * c[0];
                b += v * c[4];
            }
            ya[oc] = tm_clamp_s8(tm_requant_s8(a, mult[oc], shift[oc]) + out_off, act_min, act_max);
            if (two) {
                yb[oc] = tm_clamp_s8(tm_requant_s8(b, mult[oc], shift[oc]) + out_off, act_min, act_max);
            }
        }
    }
}
