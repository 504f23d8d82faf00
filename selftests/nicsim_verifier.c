// SPDX-License-Identifier: GPL-2.0
/*
 * Load each program of nicsim_verifier.bpf.c on its own and check the
 * verifier's verdict against its bpf_misc.h annotations: __success loads,
 * __failure is rejected with every __msg in the log. A KTAP line per
 * program.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kselftest.h"
#include "nicsim_test.h"
#include "nicsim_verifier.skel.h"

#define MAX_MSGS	4

struct expect {
	bool failure;
	bool success;
	int nmsgs;
	const char *msgs[MAX_MSGS];
};

/* The annotations of function @name: decl tags "comment:test_..." on it. */
static int read_expect(const struct btf *btf, const char *name,
		       struct expect *e)
{
	__u32 i, n = btf__type_cnt(btf);

	memset(e, 0, sizeof(*e));
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i), *fn;
		const char *tag;

		if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1)
			continue;
		fn = btf__type_by_id(btf, t->type);
		if (!btf_is_func(fn) ||
		    strcmp(btf__name_by_offset(btf, fn->name_off), name))
			continue;
		tag = btf__name_by_offset(btf, t->name_off);
		if (!strcmp(tag, "comment:test_expect_failure")) {
			e->failure = true;
		} else if (!strcmp(tag, "comment:test_expect_success")) {
			e->success = true;
		} else if (!strncmp(tag, "comment:test_expect_msg=", 24)) {
			/* "comment:test_expect_msg=COUNTER=message" */
			const char *msg = strchr(tag + 24, '=');

			if (!msg || e->nmsgs == MAX_MSGS)
				return -EINVAL;
			e->msgs[e->nmsgs++] = msg + 1;
		}
	}
	return e->failure != e->success ? 0 : -EINVAL;
}

/* Load only program @name; its verdict and log against what it expects. */
static bool check_prog(const char *name)
{
	static char log[1 << 20];
	struct nicsim_verifier *skel;
	struct bpf_program *prog, *p;
	struct expect e;
	bool ok = true;
	int err, i;

	skel = nicsim_verifier__open();
	if (!skel)
		return false;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	if (!prog || read_expect(bpf_object__btf(skel->obj), name, &e)) {
		ksft_print_msg("%s: no program or no annotations\n", name);
		nicsim_verifier__destroy(skel);
		return false;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == prog);
	log[0] = '\0';
	bpf_program__set_log_buf(prog, log, sizeof(log));
	bpf_program__set_log_level(prog, 1);
	err = nicsim_verifier__load(skel);

	if (e.success && err) {
		ksft_print_msg("%s: rejected (%d), expected to load:\n%s\n",
			       name, err, log);
		ok = false;
	}
	if (e.failure && !err) {
		ksft_print_msg("%s: loaded, expected a rejection\n", name);
		ok = false;
	}
	for (i = 0; i < e.nmsgs; i++) {
		if (strstr(log, e.msgs[i]))
			continue;
		ksft_print_msg("%s: no \"%s\" in the verifier log:\n%s\n",
			       name, e.msgs[i], log);
		ok = false;
	}
	if (ok && e.failure)
		ksft_print_msg("%s: rejected: %s\n", name, e.msgs[0]);
	nicsim_verifier__destroy(skel);
	return ok;
}

int main(void)
{
	struct nicsim_verifier *skel;
	struct bpf_program *prog;
	const char *names[64];
	int n = 0, i;

	ksft_print_header();
	/* the kfuncs must exist for the good programs to load */
	switch (nicsim_load_module()) {
	case 0:
		break;
	case 1:
		ksft_exit_skip(NICSIM_NO_MODULE "\n");
	default:
		ksft_exit_fail_msg("cannot load nicsim\n");
	}
	skel = nicsim_verifier__open();
	if (!skel)
		ksft_exit_fail_msg("cannot open the BPF object\n");
	bpf_object__for_each_program(prog, skel->obj)
		if (n < 64)
			names[n++] = strdup(bpf_program__name(prog));
	nicsim_verifier__destroy(skel);

	ksft_set_plan(n);
	for (i = 0; i < n; i++)
		ksft_test_result(check_prog(names[i]), "%s\n", names[i]);
	ksft_finished();
}
