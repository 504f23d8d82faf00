// SPDX-License-Identifier: GPL-2.0
/*
 * Load each program of nicsim_verifier.bpf.c on its own and check the
 * verifier's verdict against its bpf_misc.h annotations: __success loads,
 * __failure is rejected with every __msg in the log, in their order (as
 * the BPF selftests' test_loader reads them); a program with __retval is
 * run (BPF_PROG_TEST_RUN) and must return that. A KTAP line per program.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kselftest.h"
#include "nicsim_test.h"
#include "nicsim_verifier.skel.h"

#define MAX_MSGS	4

struct expect {
	bool failure;
	bool success;
	bool has_retval;
	int retval;
	int nmsgs;
	const char *msgs[MAX_MSGS];
	int order[MAX_MSGS];		/* the __COUNTER__ of each __msg */
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
		} else if (!strncmp(tag, "comment:test_retval=", 20)) {
			e->has_retval = true;
			e->retval = strtol(tag + 20, NULL, 0);
		} else if (!strncmp(tag, "comment:test_expect_msg=", 24)) {
			/* "comment:test_expect_msg=COUNTER=message" */
			const char *msg = strchr(tag + 24, '=');
			int j = e->nmsgs;

			if (!msg || e->nmsgs == MAX_MSGS)
				return -EINVAL;
			/* keep them in source order, whatever BTF's order */
			for (; j > 0 && e->order[j - 1] > atoi(tag + 24); j--) {
				e->msgs[j] = e->msgs[j - 1];
				e->order[j] = e->order[j - 1];
			}
			e->msgs[j] = msg + 1;
			e->order[j] = atoi(tag + 24);
			e->nmsgs++;
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
	const char *at;
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
	/* each message after the one before it */
	for (i = 0, at = log; i < e.nmsgs; i++) {
		const char *found = strstr(at, e.msgs[i]);

		if (found) {
			at = found + strlen(e.msgs[i]);
			continue;
		}
		ksft_print_msg("%s: no \"%s\" in the verifier log%s:\n%s\n",
			       name, e.msgs[i], i ? " after the one before" : "",
			       log);
		ok = false;
		break;
	}
	if (ok && e.has_retval) {
		LIBBPF_OPTS(bpf_test_run_opts, run);

		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &run);
		if (err || (int)run.retval != e.retval) {
			ksft_print_msg("%s: run: %d, returned %d, expected %d\n",
				       name, err, (int)run.retval, e.retval);
			ok = false;
		}
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
