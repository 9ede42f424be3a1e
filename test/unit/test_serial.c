/*
 * test_serial.c - the one serialization helper (ana_common) and the forecast model
 * format 3 written through it: the bytes are little-endian whatever the host
 * (decoded here with explicit shifts, independent of the host's byte order and of
 * ana_r_*), the container's header and checksum are the documented ones, and the
 * old formats 1-2 (x86-64 struct images) decode to the same model as the struct
 * they were copied from.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ana_common.h"
#include "forecast.h"
#include "tap.h"

static void
diag(const char *what, const char *name)
{
	printf("# %s: %s\n", name, what);
}

/* little-endian decoding by explicit shifts (the reference, not ana_r_*) */
static uint64_t
le(const unsigned char *p, int n)
{
	uint64_t	v = 0;
	int			i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static double
le_double(const unsigned char *p)
{
	uint64_t	u = le(p, 8);
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

/* the FNV-1a 64 of the documentation, written out again */
static uint64_t
fnv64(const unsigned char *p, size_t n)
{
	uint64_t	h = 14695981039346656037ULL;

	while (n--)
	{
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint32_t
fnv32(const unsigned char *p, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n--)
	{
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

static int
host_is_little_endian(void)
{
	uint32_t	one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/*
 * What the writer of formats 1-2 did (host struct images): used on x86-64 only,
 * where those images are the ones 0.1.0 and 3a3d9b8 wrote.
 */
static size_t
legacy_image(const FcModel *m, int version, unsigned char *buf)
{
	static const size_t msize[] = {0, sizeof(FcSimple), sizeof(FcSimple), sizeof(FcSimple),
		sizeof(EtsModel), sizeof(CrostonModel), sizeof(CrostonModel), sizeof(CrostonModel),
	sizeof(FcTheta), sizeof(prophet_model)};
	size_t		fixed = version == 1 ? offsetof(FcModel, freq) : offsetof(FcModel, member),
				off = 16;
	uint32_t	u32;
	uint16_t	u16;
	FcModel		c = *m;
	int			j;

	c.version = (uint32_t) version;
	memcpy(buf + off, &c, fixed);
	off += fixed;
	for (j = 0; j < m->n_members; j++)
	{
		int32_t		kind = m->member[j].kind;
		uint32_t	sz = (uint32_t) msize[kind];

		memcpy(buf + off, &kind, 4);
		memcpy(buf + off + 4, &sz, 4);
		memcpy(buf + off + 8, &m->member[j].u, sz);
		off += 8 + sz;
	}
	u32 = FC_MAGIC;
	memcpy(buf, &u32, 4);
	u16 = (uint16_t) version;
	memcpy(buf + 4, &u16, 2);
	u16 = 16;
	memcpy(buf + 6, &u16, 2);
	u32 = (uint32_t) off;
	memcpy(buf + 8, &u32, 4);
	u32 = fnv32(buf + 16, off - 16);
	memcpy(buf + 12, &u32, 4);
	return off;
}

int
main(void)
{
	unsigned char buf[64];
	ana_wbuf	w;
	ana_rbuf	r;
	size_t		n;
	uint16_t	ver;
	int			rc;

	(void) near;
	/* 1. the writer: known values, bytes checked one by one */
	ana_w_init(&w, buf, sizeof(buf));
	ana_w_header(&w, 0x44434241u, 7);
	ana_w_u16(&w, 0x0102);
	ana_w_u32(&w, 0x01020304u);
	ana_w_i32(&w, -2);
	ana_w_u64(&w, 0x0102030405060708ULL);
	ana_w_f64(&w, 1.0);
	ana_w_f32(&w, -2.5f);
	rc = ana_w_finish(&w, &n);
	ok(rc == ANA_OK && n == 24 + 2 + 4 + 4 + 8 + 8 + 4, "writer: %zu bytes", n);
	{
		static const unsigned char expect[] = {
			'A', 'B', 'C', 'D', 7, 0, 0, 0,		/* magic, version 7, flags 0 */
			30, 0, 0, 0, 0, 0, 0, 0,	/* payload length 30 */
			0, 0, 0, 0, 0, 0, 0, 0,		/* checksum (checked below) */
			0x02, 0x01,
			0x04, 0x03, 0x02, 0x01,
			0xfe, 0xff, 0xff, 0xff,
			0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
			0, 0, 0, 0, 0, 0, 0xf0, 0x3f,	/* 1.0 = 0x3ff0000000000000 */
		0, 0, 0x20, 0xc0};		/* -2.5f = 0xc0200000 */

		ok(memcmp(buf, expect, 16) == 0 && memcmp(buf + 24, expect + 24, 30) == 0,
		   "every field little-endian (magic, version, length, u16, u32, i32, u64, f64, f32)");
		ok(le(buf + 16, 8) == fnv64(buf + 24, 30), "header checksum = FNV-1a 64 of the payload");
	}
	ok(ana_r_open(&r, buf, n, 0x44434241u, 7, &ver) == ANA_OK && ver == 7 &&
	   ana_r_u16(&r) == 0x0102 && ana_r_u32(&r) == 0x01020304u && ana_r_i32(&r) == -2 &&
	   ana_r_u64(&r) == 0x0102030405060708ULL && ana_r_f64(&r) == 1.0 &&
	   ana_r_f32_any(&r) == -2.5f && ana_r_remaining(&r) == 0 && r.err == 0, "reader gives the values back");
	ok(ana_r_open(&r, buf, n, 0x44434241u, 6, &ver) == ANA_EVERSION, "newer version rejected");
	ok(ana_r_open(&r, buf, n, 0x44434242u, 7, &ver) == ANA_EFORMAT, "wrong magic rejected");
	ok(ana_r_open(&r, buf, n - 1, 0x44434241u, 7, &ver) == ANA_ETRUNCATED, "truncated rejected");
	buf[30] ^= 1;
	ok(ana_r_open(&r, buf, n, 0x44434241u, 7, &ver) == ANA_ECHECKSUM, "flipped payload byte rejected");
	buf[30] ^= 1;
	buf[6] = 1;
	ok(ana_r_open(&r, buf, n, 0x44434241u, 7, &ver) == ANA_EFORMAT, "nonzero flags rejected");

	/* 2. forecast models of every kind: format 3 layout, legacy images */
	{
		static const int methods[] = {FC_ZERO, FC_MEAN, FC_NAIVE, FC_ETS, FC_CROSTON, FC_SBA,
		FC_TSB, FC_THETA, FC_PROPHET, FC_ENS_MEAN, FC_ENS_MEDIAN};
		double		y[70],
					z[70],
					zero[10] = {0};
		unsigned char *b3 = malloc(40000),
				   *b3b = malloc(40000),
				   *bl = malloc(40000);
		int			i,
					k,
					legacy_ok = 0,
					legacy_v1_ok = 0,
					layout_ok = 0,
					n_models = 0;

		for (i = 0; i < 70; i++)
		{
			y[i] = 10 + 3 * sin(i / 2.0) + (i % 7) * 0.5;
			z[i] = i % 4 == 0 ? i % 3 + 1 : 0;
		}
		for (k = 0; k < (int) (sizeof(methods) / sizeof(methods[0])); k++)
		{
			FcOptions	o;
			FcModel		m,
						m2;
			size_t		n3,
						nl,
						off,
						n3b;
			int			j,
						good = 1,
						meth = methods[k];
			const double *series = meth == FC_ZERO ? zero :
				(meth >= FC_CROSTON && meth <= FC_TSB) ? z : y;

			fc_default_options(&o);
			o.method = meth == FC_ZERO ? FC_AUTO : meth;
			o.first_day = 9500;
			if (fc_fit(series, meth == FC_ZERO ? 10 : 70, 7, &o, &m) != FC_OK || m.method != meth)
			{
				ok(0, "fit of method %s", fc_method_name(meth));
				continue;
			}
			n_models++;
			n3 = fc_model_size(&m);
			if (n3 == 0 || n3 > 40000 || fc_model_serialize(&m, b3, n3, &n3) != FC_OK)
			{
				ok(0, "serialize %s", fc_method_name(meth));
				continue;
			}
			/* the layout, decoded with shifts: header, fixed part, member headers */
			good = le(b3, 4) == FC_MAGIC && memcmp(b3, "DFFC", 4) == 0 && le(b3 + 4, 2) == 3 &&
				le(b3 + 6, 2) == 0 && le(b3 + 8, 8) == n3 - 24 && le(b3 + 16, 8) == fnv64(b3 + 24, n3 - 24) &&
				(int32_t) le(b3 + 24, 4) == m.method && (int32_t) le(b3 + 28, 4) == m.demand_class &&
				(int32_t) le(b3 + 36, 4) == m.n && (int32_t) le(b3 + 56, 4) == m.n_members &&
				(int32_t) le(b3 + 64, 4) == m.first_day && le_double(b3 + 72) == m.adi &&
				le_double(b3 + 80) == m.cv2 && le_double(b3 + 104) == m.scale &&
				(int32_t) le(b3 + 112, 4) == m.freq && le_double(b3 + 124) == m.data_scale &&
				le_double(b3 + 132) == m.interval_scale;
			off = 140;
			for (j = 0; good && j < m.n_members; j++)
			{
				const FcMember *mb = &m.member[j];
				size_t		len = le(b3 + off + 4, 4);
				const unsigned char *f = b3 + off + 8;

				good = (int32_t) le(b3 + off, 4) == mb->kind && off + 8 + len <= n3;
				/* the first fields of each member, at their packed offsets */
				if (good && (mb->kind == FC_MEAN || mb->kind == FC_NAIVE || mb->kind == FC_ZERO))
					good = len == 20 && le_double(f) == mb->u.simple.level &&
						le_double(f + 8) == mb->u.simple.sigma2 && (int32_t) le(f + 16, 4) == mb->u.simple.n;
				else if (good && mb->kind == FC_ETS)
					good = len == 532 && (int32_t) le(f, 4) == mb->u.ets.error &&
						(int32_t) le(f + 16, 4) == mb->u.ets.m && le_double(f + 28) == mb->u.ets.alpha &&
						le_double(f + 60) == mb->u.ets.x0[0] && le_double(f + 524) == mb->u.ets.mse;
				else if (good && mb->kind >= FC_CROSTON && mb->kind <= FC_TSB)
					good = len == 228 && (int32_t) le(f, 4) == mb->u.croston.method &&
						le_double(f + 12) == mb->u.croston.alpha && le_double(f + 52) == mb->u.croston.mse &&
						le_double(f + 220) == mb->u.croston.sizeq[CR_NQ - 1];
				else if (good && mb->kind == FC_THETA)
					good = len == 744 && le_double(f + 28) == mb->u.theta.ses.alpha &&
						le_double(f + 532) == mb->u.theta.drift && (int32_t) le(f + 544, 4) == mb->u.theta.m &&
						le_double(f + 552) == mb->u.theta.seas[0];
				else if (good && mb->kind == FC_PROPHET)
					good = len == 1528 && le(f, 4) == PROPHET_MAGIC && (int32_t) le(f + 8, 4) == mb->u.prophet.mode &&
						(int32_t) le(f + 28, 4) == mb->u.prophet.n_changepoints && le_double(f + 48) == mb->u.prophet.k &&
						le_double(f + 64) == mb->u.prophet.cp_day[0] && le_double(f + 1520) == mb->u.prophet.y_scale;
				off += 8 + len;
			}
			good = good && off == n3;
			layout_ok += good;
			ok(good, "%s: format 3 bytes are the documented little-endian layout (%zu bytes)",
			   fc_method_name(meth), n3);
			/* round trip, and a second serialization gives the same bytes */
			ok(fc_model_deserialize(b3, n3, &m2) == FC_OK && fc_model_serialize(&m2, b3b, 40000, &n3b) == FC_OK &&
			   n3b == n3 && memcmp(b3, b3b, n3) == 0, "%s: round trip gives the same bytes", fc_method_name(meth));
			/* formats 2 and 1 as the old writer made them (x86-64 only) */
			if (host_is_little_endian() && sizeof(void *) == 8 && sizeof(FcModel) == 6272)
			{
				nl = legacy_image(&m, 2, bl);
				if (fc_model_deserialize(bl, nl, &m2) == FC_OK &&
					fc_model_serialize(&m2, b3b, 40000, &n3b) == FC_OK && n3b == n3 &&
					memcmp(b3, b3b, n3) == 0)
					legacy_ok++;
				else
					diag("format 2 image not read back", fc_method_name(meth));
				/* format 1: the same model without the version-2 fields */
				{
					FcModel		m1 = m;

					m1.freq = FC_FREQ_DAY;
					m1.anchor = 0;
					m1.horizon = 0;
					m1.data_scale = 1.0;
					m1.interval_scale = 1.0;
					nl = legacy_image(&m1, 1, bl);
					n3 = fc_model_size(&m1);
					fc_model_serialize(&m1, b3, 40000, &n3);
					if (fc_model_deserialize(bl, nl, &m2) == FC_OK &&
						fc_model_serialize(&m2, b3b, 40000, &n3b) == FC_OK && n3b == n3 &&
						memcmp(b3, b3b, n3) == 0)
						legacy_v1_ok++;
					else
						diag("format 1 image not read back", fc_method_name(meth));
					/* the old checks hold: flipped byte, wrong struct version, truncation */
					bl[nl - 3] ^= 0x10;
					good = fc_model_deserialize(bl, nl, &m2) == FC_ECORRUPT;
					bl[nl - 3] ^= 0x10;
					good = good && fc_model_deserialize(bl, nl - 8, &m2) == FC_ECORRUPT;
					bl[20] = 2;		/* struct version 2 under a version-1 header */
					{
						uint32_t	s = fnv32(bl + 16, nl - 16);

						memcpy(bl + 12, &s, 4);
					}
					good = good && fc_model_deserialize(bl, nl, &m2) == FC_ECORRUPT;
					ok(good, "%s: format 1 corruptions rejected", fc_method_name(meth));
				}
			}
		}
		if (host_is_little_endian() && sizeof(void *) == 8 && sizeof(FcModel) == 6272)
		{
			ok(legacy_ok == n_models, "format 2 images (x86-64) decode field by field to the model (%d of %d)",
			   legacy_ok, n_models);
			ok(legacy_v1_ok == n_models, "format 1 images decode too (%d of %d)", legacy_v1_ok, n_models);
		}
		else
			diag("the legacy image checks are skipped", "not an x86-64 host");
		ok(layout_ok == n_models && n_models == 11, "all 11 methods checked (%d)", n_models);
		free(b3);
		free(b3b);
		free(bl);
	}
	return tap_done();
}
