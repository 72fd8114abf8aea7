/* Device half of a split model (tinyml-offload): reads the input through semihosting, runs the
 * generated prefix, and prints each cut tensor as hex on the console for the relay to the edge:
 *   CUT <index> <bytes>
 *   <hex, 32 bytes per line>
 *   END
 * Command line (semihosting): firmware IN.bin */
#include <stdint.h>
#include "semihost.h"
#include "@P@_model.h"

static const uint32_t in_bytes[] = {@IN_BYTES@};
static const uint32_t out_bytes[] = {@OUT_BYTES@};

static char *next_arg(char **s)
{
    char *a;
    while (**s == ' ') {
        (*s)++;
    }
    a = *s;
    while (**s && **s != ' ') {
        (*s)++;
    }
    if (**s) {
        *(*s)++ = 0;
    }
    return a;
}

static void put_uint(char *p, uint32_t v)
{
    char tmp[11];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = tmp[--n];
    }
    *p = 0;
}

static void print_tensor(int index, const uint8_t *data, uint32_t len)
{
    static const char hex[] = "0123456789abcdef";
    char line[80];
    uint32_t i, k;
    line[0] = 'C';
    line[1] = 'U';
    line[2] = 'T';
    line[3] = ' ';
    put_uint(line + 4, (uint32_t)index);
    for (k = 4; line[k]; k++) {
    }
    line[k++] = ' ';
    put_uint(line + k, len);
    for (; line[k]; k++) {
    }
    line[k++] = '\n';
    line[k] = 0;
    sh_write0(line);
    for (i = 0; i < len; i += 32) {
        uint32_t end = i + 32 < len ? i + 32 : len;
        k = 0;
        for (uint32_t j = i; j < end; j++) {
            line[k++] = hex[data[j] >> 4];
            line[k++] = hex[data[j] & 15];
        }
        line[k++] = '\n';
        line[k] = 0;
        sh_write0(line);
    }
}

int main(void)
{
    const void *inputs[@NI@];
    void *outputs[@NO@];
    char cmdline[256];
    char *s = cmdline, *in_path;
    int32_t fd;
    int i;
    if (sh_cmdline(cmdline, sizeof cmdline) != 0) {
        sh_write0("ERROR no semihosting command line\n");
        return 2;
    }
    next_arg(&s);
    in_path = next_arg(&s);
    for (i = 0; i < @NI@; i++) {
        inputs[i] = @P@_input(i);
    }
    for (i = 0; i < @NO@; i++) {
        outputs[i] = @P@_output(i);
    }
    fd = sh_open(in_path, 1); /* "rb" */
    for (i = 0; i < @NI@; i++) {
        if (fd < 0 || sh_read(fd, @P@_input(i), in_bytes[i]) != 0) {
            sh_write0("ERROR cannot read input file\n");
            return 1;
        }
    }
    sh_close(fd);
    if (@P@_invoke(inputs, outputs) != 0) {
        sh_write0("ERROR invoke failed\n");
        return 1;
    }
    for (i = 0; i < @NS@; i++) {
        print_tensor(i, (const uint8_t *)@P@_output(i), out_bytes[i]);
    }
    sh_write0("END\n");
    return 0;
}
