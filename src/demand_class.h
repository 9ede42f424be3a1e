/*
 * demand_class.h - Syntetos-Boylan-Croston (SBC) demand classification.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: libc only, no PostgreSQL header, never prints or exits.
 *
 * DEFINITIONS (Syntetos, Boylan & Croston 2005, J. Oper. Res. Soc. 56:495-503)
 *
 *   Let t_1 < t_2 < ... < t_k be the (1-based) positions of the non-zero
 *   demands y[t] != 0 of a series of length n, and z_j = y[t_j] their sizes.
 *
 *   ADI (average inter-demand interval) = mean of the intervals between
 *        consecutive demands, the first interval counted from the start of the
 *        series: intervals t_1, t_2 - t_1, ..., t_k - t_{k-1}; ADI = t_k / k.
 *        (This is the convention of R's forecast::croston / tsintermittent:
 *        diff(c(0, which(y != 0))).)  ADI = 1 when every period has demand.
 *   CV2 (squared coefficient of variation of the non-zero sizes)
 *        = (population variance of z) / (mean of z)^2, i.e. sum((z-zbar)^2)/k
 *        divided by zbar^2; 0 when k = 1.
 *
 *   Cut-offs: ADI 1.32, CV2 0.49 (SBC 2005):
 *        smooth        ADI <  1.32 and CV2 <  0.49
 *        erratic       ADI <  1.32 and CV2 >= 0.49
 *        intermittent  ADI >= 1.32 and CV2 <  0.49
 *        lumpy         ADI >= 1.32 and CV2 >= 0.49
 *   Special classes, tested first, in this order:
 *        zero          n >= 1 and every value is 0
 *        short         n < min_obs (default DC_MIN_OBS), or fewer than 2
 *                      non-zero demands (no interval can be estimated)
 *        constant      every value equal to the first one (non-zero)
 *
 *   Negative values are allowed (returns) and count as demand occurrences;
 *   sizes use |y| for CV2 so that returns do not cancel sales.
 *   NaN or +-Inf anywhere -> DC_ENONFINITE.
 */
#ifndef DOLIFLOW_DEMAND_CLASS_H
#define DOLIFLOW_DEMAND_CLASS_H

#define DC_OK			0
#define DC_EINVAL		(-1)	/* NULL pointer or n < 0 */
#define DC_ENONFINITE	(-3)	/* NaN/Inf in the series */

#define DC_MIN_OBS		4		/* default minimum length for a real class */
#define DC_ADI_CUT		1.32
#define DC_CV2_CUT		0.49

typedef enum DemandClass
{
	DC_SHORT = 0,
	DC_ZERO = 1,
	DC_CONSTANT = 2,
	DC_SMOOTH = 3,
	DC_ERRATIC = 4,
	DC_INTERMITTENT = 5,
	DC_LUMPY = 6
} DemandClass;

typedef struct DemandStats
{
	DemandClass cls;
	int			n;				/* series length */
	int			n_nonzero;		/* k */
	double		adi;			/* t_k / k; NaN-free: 0 when k = 0 */
	double		cv2;			/* 0 when k < 2 */
	double		mean_size;		/* mean |z| (0 when k = 0) */
	double		p_demand;		/* k / n (0 when n = 0) */
} DemandStats;

/* Classify y[0..n-1].  min_obs <= 0 means DC_MIN_OBS.  n = 0 gives DC_SHORT. */
int			demand_classify(const double *y, int n, int min_obs, DemandStats *out);

/* Lower-case name of a class ("smooth", "lumpy", ...); "unknown" otherwise. */
const char *demand_class_name(int cls);

#endif							/* DOLIFLOW_DEMAND_CLASS_H */
