/*
 * im2col of two output pixels for the int8 convolutions as a matrix product (dense and sparse): their
 * input windows are expanded into int16 columns, interleaved per 4 values (8 bytes of pixel A, 8 of
 * pixel B, value k of a pixel at 2 (k & ~3) + {0, 2, 1, 3}[k & 3]); padding holds the input zero point,
 * which contributes nothing once the input offset is folded into the bias.
 */
static void tm_im2col_s8(const tm_win_params *p, const int8_t *x, int px, int16_t *col, int k4)
{
    static const uint8_t perm[4] = {0, 2, 1, 3};
    const int per_img = p->out_h * p->out_w, b = px / per_img, r = px % per_img;
    const int in_c = p->in_c, iy0 = (r / p->out_w) * p->stride_h - p->pad_h;
    const int ix0 = (r % p->out_w) * p->stride_w - p->pad_w;
    const int16_t zp = (int16_t)(-p->in_off);
    int k = 0, ky, kx, c;
    if (p->k_h == 1 && p->k_w == 1 && (in_c & 3) == 0 && iy0 >= 0 && ix0 >= 0) {
        const int8_t *xp = x + ((b * p->in_h + iy0) * p->in_w + ix0) * in_c;
        for (c = 0; c < in_c; c += 4) {
            tm_expand4(xp + c, col + 2 * c);
        }
        return;
    }
    for (ky = 0; ky < p->k_h; ky++) {
        const int iy = iy0 + p->dil_h * ky;
        for (kx = 0; kx < p->k_w; kx++) {
            const int ix = ix0 + p->dil_w * kx;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (c = 0; c < in_c; c++, k++) {
                    col[2 * (k & ~3) + perm[k & 3]] = zp;
                }
            } else {
                const int8_t *xp = x + ((b * p->in_h + iy) * p->in_w + ix) * in_c;
                if ((k & 3) == 0 && (in_c & 3) == 0) {
                    for (c = 0; c < in_c; c += 4, k += 4) {
                        tm_expand4(xp + c, col + 2 * k);
                    }
                } else {
                    for (c = 0; c < in_c; c++, k++) {
                        col[2 * (k & ~3) + perm[k & 3]] = xp[c];
                    }
                }
            }
        }
    }
    for (; k < k4; k++) {
        col[2 * (k & ~3) + perm[k & 3]] = 0;
    }
}

