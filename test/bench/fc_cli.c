/*
 * fc_cli.c - command-line driver of the forecasting core, for benchmarks.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Reads wide CSV series on stdin (first field an id, then the values, oldest
 * first; empty or NA cells are skipped; a header line whose second field is
 * not a number is skipped) and writes one line per series:
 *   id,method,milliseconds,f1,...,fh            (default)
 *   id,step,mean,lo,hi                           (-i: long format, intervals)
 *   id,method,ms,f1..fh,lo80_1..h,hi80_1..h,lo95_1..h,hi95_1..h  (-I)
 * Options: -h horizon (13)  -p period (1)  -m method name (auto)
 *          -H holdout  -o origins  -l level (0.95)  -n (allow negatives)
 *          -f first day of every series (days since 2000-01-01)
 *          -E (ETS by AICc only, like R's ets)  -d (describe model on stderr)
 *          -T fast|full (tier of the automatic choice; default: fast for
 *             period 7, full otherwise, like fc_fit)
 *          -F day|week|month|quarter|year (frequency, default day)
 *          -R horizon to validate the automatic choice on (FcOptions.horizon)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/forecast.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int
main(int argc, char **argv)
{
	int			h = 13,
				period = 1,
				c,
				intervals = 0,
				both = 0,
				describe = 0;
	double		level = 0.95;
	FcOptions	opt;
	char	   *line = NULL;
	size_t		cap = 0;
	double	   *y = NULL;
	size_t		ycap = 0;
	int			lineno = 0;

	fc_default_options(&opt);
	while ((c = getopt(argc, argv, "h:p:m:H:o:l:f:T:F:R:nEiId")) != -1)
	{
		switch (c)
		{
			case 'h':
				h = atoi(optarg);
				break;
			case 'p':
				period = atoi(optarg);
				break;
			case 'm':
				{
					int			k;

					for (k = 0; k < FC_N_METHODS; k++)
						if (strcmp(optarg, fc_method_name(k)) == 0)
							opt.method = k;
					break;
				}
			case 'T':
				opt.tier = strcmp(optarg, "fast") == 0 ? FC_TIER_FAST :
					strcmp(optarg, "full") == 0 ? FC_TIER_FULL : -1;
				if (opt.tier < 0)
				{
					fprintf(stderr, "fc_cli: -T fast or full\n");
					return 2;
				}
				break;
			case 'H':
				opt.holdout = atoi(optarg);
				break;
			case 'o':
				opt.origins = atoi(optarg);
				break;
			case 'l':
				level = atof(optarg);
				break;
			case 'f':
				opt.first_day = atoi(optarg);
				break;
			case 'n':
				opt.nonneg = 0;
				break;
			case 'E':
				opt.method = FC_ETS;
				break;
			case 'i':
				intervals = 1;
				break;
			case 'I':
				both = 1;
				break;
			case 'R':
				opt.horizon = atoi(optarg);
				break;
			case 'F':
				{
					int			k;

					opt.freq = -1;
					for (k = FC_FREQ_DAY; k <= FC_FREQ_YEAR; k++)
						if (strcmp(optarg, fc_freq_name(k)) == 0)
							opt.freq = k;
					if (opt.freq < 0)
					{
						fprintf(stderr, "fc_cli: -F day|week|month|quarter|year\n");
						return 2;
					}
					break;
				}
			case 'd':
				describe = 1;
				break;
			default:
				fprintf(stderr, "usage: fc_cli [-h H] [-p period] [-m method] [-H holdout] [-o origins] [-l level] [-f first_day] [-T fast|full] [-n] [-E] [-i] [-d] < wide.csv\n");
				return 2;
		}
	}
	if (h < 1)
		return 2;
	{
		double	   *mean = malloc(sizeof(double) * h),
				   *lo = malloc(sizeof(double) * h),
				   *hi = malloc(sizeof(double) * h),
				   *lo8 = malloc(sizeof(double) * h),
				   *hi8 = malloc(sizeof(double) * h);

		while (getline(&line, &cap, stdin) > 0)
		{
			char	   *save = NULL,
					   *tok,
					   *id;
			int			n = 0,
						rc,
						i;
			FcModel		m;
			double		t0,
						t1;

			lineno++;
			line[strcspn(line, "\r\n")] = '\0';
			id = strtok_r(line, ",", &save);
			if (id == NULL)
				continue;
			if (id[0] == '"')
			{
				id++;
				id[strcspn(id, "\"")] = '\0';
			}
			while ((tok = strtok_r(NULL, ",", &save)) != NULL)
			{
				char	   *end;
				double		v;
				size_t		tl = strlen(tok);

				if (tl >= 2 && tok[0] == '"' && tok[tl - 1] == '"')
				{
					tok[tl - 1] = '\0';
					tok++;
				}
				if (*tok == '\0' || strcmp(tok, "NA") == 0)
					continue;
				v = strtod(tok, &end);
				if (end == tok)
				{
					n = -1;
					break;
				}
				if ((size_t) n >= ycap)
				{
					ycap = ycap ? 2 * ycap : 1024;
					y = realloc(y, sizeof(double) * ycap);
				}
				y[n++] = v;
			}
			if (n < 0)
			{
				if (lineno == 1)
					continue;	/* header */
				fprintf(stderr, "line %d: not a number\n", lineno);
				return 1;
			}
			t0 = now_ms();
			rc = fc_fit(y, n, period, &opt, &m);
			if (rc == FC_OK)
				rc = fc_forecast(&m, h, both ? 0.95 : level, mean, lo, hi);
			if (rc == FC_OK && both)
				rc = fc_forecast(&m, h, 0.80, mean, lo8, hi8);
			t1 = now_ms();
			if (rc != FC_OK)
			{
				fprintf(stderr, "%s: %s\n", id, fc_strerror(rc));
				for (i = 0; i < h; i++)
					mean[i] = lo[i] = hi[i] = lo8[i] = hi8[i] = n > 0 ? y[n - 1] : 0.0;
			}
			if (describe && rc == FC_OK)
			{
				char		buf[2048];

				fc_model_describe(&m, buf, sizeof(buf));
				fprintf(stderr, "%s: %s\n", id, buf);
			}
			if (both)
			{
				printf("%s,%s,%.4f", id, rc == FC_OK ? fc_method_name(m.method) : "error", t1 - t0);
				for (i = 0; i < h; i++)
					printf(",%.10g", mean[i]);
				for (i = 0; i < h; i++)
					printf(",%.10g", lo8[i]);
				for (i = 0; i < h; i++)
					printf(",%.10g", hi8[i]);
				for (i = 0; i < h; i++)
					printf(",%.10g", lo[i]);
				for (i = 0; i < h; i++)
					printf(",%.10g", hi[i]);
				printf("\n");
			}
			else if (intervals)
				for (i = 0; i < h; i++)
					printf("%s,%d,%.10g,%.10g,%.10g\n", id, i + 1, mean[i], lo[i], hi[i]);
			else
			{
				printf("%s,%s,%.4f", id, rc == FC_OK ? fc_method_name(m.method) : "error", t1 - t0);
				for (i = 0; i < h; i++)
					printf(",%.10g", mean[i]);
				printf("\n");
			}
		}
		free(mean);
		free(lo);
		free(hi);
		free(lo8);
		free(hi8);
	}
	free(line);
	free(y);
	return 0;
}
