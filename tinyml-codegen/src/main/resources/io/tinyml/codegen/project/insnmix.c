/*
 * QEMU TCG plugin (written for this project against the small, stable plugin API; Debian's qemu ships no
 * qemu-plugin.h, so the few declarations used are repeated here): executed instructions between the entries
 * of two marker functions (begin=0x.. end=0x..) by class -- alu, mul (multiply and multiply-accumulate,
 * SIMD MACs included), load, store, branch -- read from the disassembly of each instruction (Arm Thumb-2 and
 * RISC-V mnemonics), and data accesses by region: reads below flash_end=0x.. (constant data: weights) and
 * above it (RAM), and writes. These are the inputs of the SDK's per-board cycle model.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr,
                                          void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw, void *userdata);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                                 int argc, char **argv);

enum { ALU, MUL, LOAD, STORE, BRANCH, NCLASS, FLASH_READ = NCLASS, RAM_READ, WRITE, NCOUNT };
static const char *const names[NCOUNT] = {"alu", "mul", "load", "store", "branch", "flash-read", "ram-read",
                                          "write"};
static uint64_t count[NCOUNT], at_begin[NCOUNT], at_end[NCOUNT];
static uint64_t begin_addr, end_addr, flash_end;
static int began, ended;

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++) {
        if (strcmp(s, *list) == 0) {
            return true;
        }
    }
    return false;
}

/* The class of one mnemonic (lower case, without a ".w"/".n" width suffix or a "c." compressed prefix). */
static int classify(const char *m)
{
    static const char *const conds[] = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi",
                                        "ls", "ge", "lt", "gt", "le", "al", NULL};
    static const char *const branches[] = {"b", "bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh", "j", "jal",
                                           "jalr", "jr", "ret", "beq", "bne", "blt", "bge", "bltu", "bgeu",
                                           "beqz", "bnez", "blez", "bgez", "bltz", "bgtz", "bgt", "ble",
                                           "bgtu", "bleu", NULL};
    static const char *const rv_loads[] = {"lw", "lh", "lhu", "lb", "lbu", "lwsp", "flw", "fld", "flwsp",
                                           "fldsp", NULL};
    static const char *const rv_stores[] = {"sw", "sh", "sb", "swsp", "fsw", "fsd", "fswsp", "fsdsp", NULL};
    if (one_of(m, branches) || (m[0] == 'b' && strlen(m) == 3 && one_of(m + 1, conds))) {
        return BRANCH;
    }
    if (one_of(m, rv_loads) || starts(m, "ldr") || starts(m, "ldm") || starts(m, "pop") || starts(m, "vldr")
        || starts(m, "vldm") || starts(m, "vpop") || starts(m, "lda")) {
        return LOAD;
    }
    if (one_of(m, rv_stores) || starts(m, "str") || starts(m, "stm") || starts(m, "push") || starts(m, "vstr")
        || starts(m, "vstm") || starts(m, "vpush") || starts(m, "stl")) {
        return STORE;
    }
    if (strstr(m, "mul") || strstr(m, "mla") || strstr(m, "mls") || strstr(m, "div") || starts(m, "rem")
        || starts(m, "sml") || starts(m, "smu") || starts(m, "smm") || starts(m, "uml") || starts(m, "umaal")
        || starts(m, "vfma") || starts(m, "vfms")) {
        return MUL;
    }
    return ALU;
}

static int classify_insn(const struct qemu_plugin_insn *insn)
{
    char m[24];
    size_t n = 0;
    char *text = qemu_plugin_insn_disas(insn);
    const char *s = text ? text : "";
    int c;
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    /* QEMU's RISC-V disassembler prints the instruction word (4 or 8 hex digits) before the mnemonic */
    while (isxdigit((unsigned char)s[n])) {
        n++;
    }
    if ((n == 4 || n == 8) && isspace((unsigned char)s[n])) {
        s += n;
        while (*s && isspace((unsigned char)*s)) {
            s++;
        }
    }
    n = 0;
    if (starts(s, "c.")) {
        s += 2;
    }
    while (s[n] && !isspace((unsigned char)s[n]) && n + 1 < sizeof m) {
        m[n] = (char)tolower((unsigned char)s[n]);
        n++;
    }
    m[n] = 0;
    if (n > 2 && (strcmp(m + n - 2, ".w") == 0 || strcmp(m + n - 2, ".n") == 0)) {
        m[n - 2] = 0;
    }
    c = classify(m);
    free(text);
    return c;
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *u)
{
    (void)vcpu;
    (void)u;
    if (qemu_plugin_mem_is_store(info)) {
        count[WRITE]++;
    } else if (vaddr < flash_end) {
        count[FLASH_READ]++;
    } else {
        count[RAM_READ]++;
    }
}

static void on_begin(unsigned int vcpu, void *u)
{
    (void)vcpu;
    (void)u;
    if (!began) {
        memcpy(at_begin, count, sizeof count);
        began = 1;
    }
}

static void on_end(unsigned int vcpu, void *u)
{
    (void)vcpu;
    (void)u;
    if (began && !ended) {
        memcpy(at_end, count, sizeof count);
        ended = 1;
    }
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t pc = qemu_plugin_tb_vaddr(tb);
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    if (pc == begin_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    if (pc == end_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &count[classify_insn(insn)], 1);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void on_exit(qemu_plugin_id_t id, void *u)
{
    char line[96];
    uint64_t total = 0;
    int i;
    (void)id;
    (void)u;
    for (i = 0; i < NCOUNT; i++) {
        uint64_t v = ended ? at_end[i] - at_begin[i] : 0;
        if (i < NCLASS) {
            total += v;
        }
        snprintf(line, sizeof line, "%s %" PRIu64 "\n", names[i], v);
        qemu_plugin_outs(line);
    }
    snprintf(line, sizeof line, "inference instructions %" PRIu64 "\n", total);
    qemu_plugin_outs(line);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    int i;
    (void)info;
    flash_end = 0x20000000u; /* MPS2: code and constants below SRAM */
    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "begin=", 6) == 0) {
            begin_addr = strtoull(argv[i] + 6, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(argv[i], "end=", 4) == 0) {
            end_addr = strtoull(argv[i] + 4, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(argv[i], "flash_end=", 10) == 0) {
            flash_end = strtoull(argv[i] + 10, NULL, 0);
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
