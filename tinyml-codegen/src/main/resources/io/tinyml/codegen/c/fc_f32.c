/*
 * float32 fully connected layer with a clamp (fused RELU / RELU6 / RELU_N1_TO_1): the reference
 * interpreter's float contract, the sequential float32 sum from +0, then the bias, no fused
 * multiply-add (-ffp-contract=off).
 */
TM_KERNEL void tm_fc_f32(const float *x, float *y, const float *w, const float *bias, int batches, int in_n, int out_n,
                      float lo, float hi)
{
    int b, o, i;
    for (b = 0; b < batches; b++) {
        for (o = 0; o < out_n; o++) {
            float acc = 0.0f;
            for (i = 0; i < in_n; i++) {
                acc += x[b * in_n + i] * w[o * in_n + i];
            }
            if (bias) {
                acc += bias[o];
            }
            y[b * out_n + o] = acc < lo ? lo : (acc > hi ? hi : acc);
        }
    }
}
