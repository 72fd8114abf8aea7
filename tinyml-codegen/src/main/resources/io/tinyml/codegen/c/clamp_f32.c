/* float32 standalone RELU / RELU6 / CLIP: y = min(max(x, lo), hi), in place allowed. */
TM_KERNEL void tm_clamp_f32(const float *x, float *y, int n, float lo, float hi)
{
    int i;
    for (i = 0; i < n; i++) {
        const float v = x[i];
        y[i] = v < lo ? lo : (v > hi ? hi : v);
    }
}
