// SPDX-License-Identifier: GPL-2.0
/* nicsim's tracepoints (trace.h) are defined here. */

#define CREATE_TRACE_POINTS
#include "trace.h"
