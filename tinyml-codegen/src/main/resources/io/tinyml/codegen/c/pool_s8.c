/* int8 average (average != 0) or max pooling; padded positions are not counted. */
TM_KERNEL void tm_pool_s8(const tm_win_params *p, const int8_t *x, int8_t *y, int average)
{
    /* copied to locals: stores through the int8_t output may alias the parameter block */
    const int q_in_h = p->in_h, q_in_w = p->in_w, q_in_c = p->in_c, q_k_h = p->k_h, q_k_w = p->k_w,
              q_out_h = p->out_h, q_out_w = p->out_w, q_stride_h = p->stride_h, q_stride_w = p->stride_w,
              q_pad_h = p->pad_h, q_pad_w = p->pad_w, q_batches = p->batches;
    const int c = q_in_c;
    int b, oy, ox, ch, fy, fx;
    for (b = 0; b < q_batches; b++) {
        for (oy = 0; oy < q_out_h; oy++) {
            const int iy0 = oy * q_stride_h - q_pad_h;
            const int fy0 = TM_MAX(0, -iy0), fy1 = TM_MIN(q_k_h, q_in_h - iy0);
            for (ox = 0; ox < q_out_w; ox++) {
                const int ix0 = ox * q_stride_w - q_pad_w;
                const int fx0 = TM_MAX(0, -ix0), fx1 = TM_MIN(q_k_w, q_in_w - ix0);
                for (ch = 0; ch < c; ch++) {
                    int32_t acc = average ? 0 : INT32_MIN;
                    int32_t count = 0;
                    for (fy = fy0; fy < fy1; fy++) {
                        const int8_t *row = x + ((b * q_in_h + iy0 + fy) * q_in_w + ix0) * c + ch;
                        for (fx = fx0; fx < fx1; fx++) {
                            int32_t v = row[fx * c];
                            if (average) {
                                acc += v;
                            } else if (v > acc) {
                                acc = v;
                            }
                            count++;
                        }
                    }
                    if (average) {
                        acc = count == 0 ? 0 : (acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count);
                    }
                    *y++ = tm_clamp_s8(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
