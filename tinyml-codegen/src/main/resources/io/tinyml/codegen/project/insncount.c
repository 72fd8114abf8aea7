/*
 * QEMU TCG plugin (written for this project against the small, stable plugin API; Debian's qemu
 * ships no qemu-plugin.h, so the few declarations used are repeated here): counts the guest
 * instructions executed between the entries of two marker functions, given as begin=0x.. end=0x...
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                                 int argc, char **argv);

static uint64_t count, at_begin, at_end, begin_addr, end_addr, pbegin_addr, pend_addr, at_pbegin;
static int began, ended, node;

/* Profiling build: tinyml_profile_begin(i) / tinyml_profile_end(i) bracket node i. */
static void on_pbegin(unsigned int vcpu, void *u)
{
    (void)vcpu;
    (void)u;
    at_pbegin = count;
}

static void on_pend(unsigned int vcpu, void *u)
{
    char line[96];
    (void)vcpu;
    (void)u;
    snprintf(line, sizeof line, "node %d instructions %" PRIu64 "\n", node++, count - at_pbegin);
    qemu_plugin_outs(line);
}

static void on_begin(unsigned int vcpu, void *u)
{
    (void)vcpu;
    (void)u;
    if (!began) {
        at_begin = count;
        began = 1;
    }
}

static void on_end(unsigned int vcpu, void *u)
{
    (void)vcpu;
    (void)u;
    if (began && !ended) {
        at_end = count;
        ended = 1;
    }
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t pc = qemu_plugin_tb_vaddr(tb);
    (void)id;
    if (pc == begin_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    if (pc == end_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    if (pbegin_addr && pc == pbegin_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_pbegin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    if (pend_addr && pc == pend_addr) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_pend, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &count, qemu_plugin_tb_n_insns(tb));
}

static void on_exit(qemu_plugin_id_t id, void *u)
{
    char line[160];
    (void)id;
    (void)u;
    snprintf(line, sizeof line, "total instructions %" PRIu64 "\ninference instructions %" PRIu64 "\n", count,
             ended ? at_end - at_begin : (uint64_t)0);
    qemu_plugin_outs(line);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "begin=", 6) == 0) {
            begin_addr = strtoull(argv[i] + 6, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(argv[i], "pbegin=", 7) == 0) {
            pbegin_addr = strtoull(argv[i] + 7, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(argv[i], "pend=", 5) == 0) {
            pend_addr = strtoull(argv[i] + 5, NULL, 0) & ~(uint64_t)1;
        } else if (strncmp(argv[i], "end=", 4) == 0) {
            end_addr = strtoull(argv[i] + 4, NULL, 0) & ~(uint64_t)1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
