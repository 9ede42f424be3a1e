/*
 * gen_tickets2.c: the rows of the ticket model: llx_ticket, llx_ticket_extrafields,
 * llx_fichinter, llx_fichinterdet, llx_element_element, llx_actioncomm; and the list of
 * interventions to invoice (G.bill) for gen_sales.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

static const char *const type_codes[5] = {"MAINT", "DEPANN", "INSTALL", "CONTROLE", "URGENCE"};
static const char *const cat_codes[9] = {"OTHER", "PLOMB", "ELEC", "CVC", "MACON", "MENUIS",
"COUVERT", "PEINT", "FUITE"};
static const char *const cat_words[9] = {"divers", "plomberie", "électricité", "chauffage",
"maçonnerie", "menuiserie", "toiture", "peinture", "fuite d'eau"};
static const char *const sev_codes[4] = {"LOW", "NORMAL", "HIGH", "BLOCKING"};
static const char *const type_words[5] = {"Entretien", "Dépannage", "Installation",
"Contrôle", "Urgence"};
static const char *const emo[4] = {" 🚨", " 💧", " 🔥", " ⚡️🙏"};

typedef struct Ev
{
	int64_t		ts;
	int			tk;
	int			close;
} Ev;

static int
cmp_ev(const void *a, const void *b)
{
	const Ev   *x = a,
			   *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->tk != y->tk)
		return x->tk < y->tk ? -1 : 1;
	return x->close - y->close;
}

static void
write_fichinter(Tbl *tf, Tbl *tfd, Tbl *tee, Tk *t, int rowid, int *fdid, int *eeid,
				int zero, Rng *r)
{
	int64_t		day = day_of(t->date_close),
				secs = (int64_t) llround(t->fih * 3600);
	int			nl = t->fih < 2 ? 1 : t->fih < 5 ? 2 : 3,
				l,
				y,
				m,
				d;
	int64_t		left = secs;
	char		b[160];

	if (t->date_close == T_ZERO)
		day = day_of(t->date_read) + 1;
	civil_from_days(day, &y, &m, &d);
	F_int(tf, t->fi);
	F_int(tf, t->soc);
	F_int(tf, t->proj);
	F_int(tf, 0);
	snprintf(b, sizeof b, "FI%02d%02d-%05d", y % 100, m, t->fi);
	F_str(tf, b);
	F_int(tf, 1);
	F_dt(tf, ts_of(day, 20, 0, 0));
	F_dt(tf, t->date_read + 1800);
	F_dt(tf, ts_of(day, 19, 0, 0));
	F_date(tf, zero ? T_ZERO : day);
	F_int(tf, t->tech + 2);
	F_int(tf, t->tech + 2);
	F_int(tf, 3);
	F_date(tf, day);
	F_date(tf, day);
	F_dbl(tf, (double) secs, 0);
	snprintf(b, sizeof b, "Intervention %s (%s) suite au ticket n°%d", itype_names[t->itype],
			 cat_words[t->cat], rowid);
	F_str(tf, b);
	F_end(tf);
	for (l = 0; l < nl; l++)
	{
		int64_t		part = l == nl - 1 ? left : (secs / nl) / 300 * 300;

		left -= part;
		F_int(tfd, ++*fdid);
		F_int(tfd, t->fi);
		F_dt(tfd, ts_of(day, 8 + 3 * l, 0, 0));
		F_str(tfd, l == 0 ? "Diagnostic et mise en sécurité" : l == nl - 1
			  ? "Travaux et essais" : "Remplacement des pièces");
		F_int(tfd, part);
		F_int(tfd, l + 1);
		F_end(tfd);
	}
	F_int(tee, ++*eeid);
	if (rbern(r, 0.05))
	{
		F_int(tee, t->fi);
		F_str(tee, "fichinter");
		F_int(tee, rowid);
		F_str(tee, "ticket");
	}
	else
	{
		F_int(tee, rowid);
		F_str(tee, "ticket");
		F_int(tee, t->fi);
		F_str(tee, "fichinter");
	}
	F_end(tee);
}

void
write_tickets(Tk *tk, int n)
{
	Tbl		   *tt = tbl_open("llx_ticket",
							  "rowid,entity,ref,track_id,fk_soc,fk_project,origin_email,"
							  "fk_user_create,fk_user_assign,subject,message,fk_statut,progress,"
							  "type_code,category_code,severity_code,datec,date_read,"
							  "date_last_msg_sent,date_close,notify_tiers_at_create,tms", NULL, 0);
	Tbl		   *tx = tbl_open("llx_ticket_extrafields",
							  "rowid,tms,fk_object,satisfaction,estimated_duration,"
							  "intervention_type,intervention_cost", NULL, 0);
	Tbl		   *tf = tbl_open("llx_fichinter",
							  "rowid,fk_soc,fk_projet,fk_contrat,ref,entity,tms,datec,date_valid,"
							  "datei,fk_user_author,fk_user_valid,fk_statut,dateo,datee,duree,"
							  "description", NULL, 0);
	Tbl		   *tfd = tbl_open("llx_fichinterdet",
							   "rowid,fk_fichinter,date,description,duree,rang", NULL, 0);
	Tbl		   *tee = tbl_open("llx_element_element",
							   "rowid,fk_source,sourcetype,fk_target,targettype", NULL, 0);
	Tbl		   *ta = tbl_open("llx_actioncomm",
							  "id,ref,entity,datep,datep2,fk_action,code,datec,tms,"
							  "fk_user_author,fk_user_action,fk_soc,fk_project,percent,label,"
							  "note,fk_element,elementtype", NULL, 0);
	Ev		   *ev = xcalloc((size_t) n * 2, sizeof(Ev));
	int			nev = 0,
				i,
				mon = -1,
				seq = 0,
				nfi = 0,
				fdid = 0,
				eeid = 0,
				kzero = dirt_count(n / 2, 0.004),
				zstep;
	char		b[512];
	Rng			r;

	for (i = 0; i < n; i++)
		if (tk[i].has_fi)
			tk[i].fi = ++nfi;
	zstep = nfi / (kzero + 1) > 0 ? nfi / (kzero + 1) : 1;
	G.bill = xcalloc(nfi + 1, sizeof(Bill));
	for (i = 0; i < n; i++)
	{
		Tk		   *t = &tk[i];
		int			rowid = i + 1,
					y,
					m,
					d;
		int64_t		tms;

		rng_init(&r, G.seed, ST_TICKET2, (uint64_t) (n + i));
		civil_from_days(day_of(t->datec), &y, &m, &d);
		if (y * 12 + m != mon)
		{
			mon = y * 12 + m;
			seq = 0;
		}
		F_int(tt, rowid);
		F_int(tt, 1);
		snprintf(b, sizeof b, "TS%02d%02d-%04d", y % 100, m, ++seq);
		F_str(tt, b);
		snprintf(b, sizeof b, "%016llx%d", (unsigned long long) mix64(G.seed * 31 + (uint64_t) rowid),
				 rowid);
		F_str(tt, b);
		F_int(tt, t->soc);
		F_int(tt, t->proj);
		snprintf(b, sizeof b, "contact%d@client.example", t->soc);
		F_str(tt, rbern(&r, 0.3) ? b : NULL);
		F_int(tt, G.admin);
		F_intn(tt, t->tech + 2, 1);
		snprintf(b, sizeof b, "%s %s%s", type_words[t->itype], cat_words[t->cat],
				 t->dirt == D_EMOJI ? emo[i % 4] : "");
		F_str(tt, b);
		snprintf(b, sizeof b, "Bonjour,\nDemande d'intervention (%s) chez le client.\n"
				 "Accès :\tcode portail %d%c, %s étage.\nCordialement", cat_words[t->cat],
				 rint2(&r, 1000, 9999), "ABC"[rint2(&r, 0, 2)], (i % 3) ? "2e" : "rez-de-chaussée");
		F_str(tt, b);
		F_int(tt, t->status);
		F_int(tt, t->status == 8 ? 100 : t->status == 9 ? 0 : t->status * 10);
		F_str(tt, type_codes[t->itype]);
		F_str(tt, cat_codes[t->cat]);
		F_str(tt, sev_codes[t->sev]);
		F_dt(tt, t->datec);
		F_dt(tt, t->date_read);
		F_dt(tt, t->date_read == T_NULL ? T_NULL : t->date_read + 600);
		F_dt(tt, t->date_close);
		F_int(tt, 1);
		tms = t->date_close != T_NULL && t->date_close != T_ZERO && t->date_close > t->datec
			? t->date_close : (t->date_read != T_NULL ? t->date_read + 600 : t->datec);
		F_dt(tt, tms);
		F_end(tt);

		F_int(tx, rowid);
		F_dt(tx, tms);
		F_int(tx, rowid);
		F_intn(tx, t->sat, 0);
		if (t->dirt == D_NULLEST)
			F_null(tx);
		else
			F_dbl(tx, t->est, 2);
		F_str(tx, itype_names[t->itype]);
		if (t->has_fi)
			F_dbl(tx, t->cost, 2);
		else
			F_null(tx);
		F_end(tx);

		if (t->has_fi)
		{
			int			zero = t->fi % zstep == zstep / 2 && t->fi / zstep < kzero;
			Bill	   *bl = &G.bill[G.nbill++];

			if (zero)
				truth_dirt("zero_date", "llx_fichinter", t->fi, "datei");
			write_fichinter(tf, tfd, tee, t, rowid, &fdid, &eeid, zero, &r);
			bl->ticket = rowid;
			bl->soc = t->soc;
			bl->proj = t->proj;
			bl->day = t->date_close == T_ZERO ? day_of(t->date_read) + 1 : day_of(t->date_close);
			bl->hours = t->fih;
			bl->rate = floor(G.tech[t->tech].thm * 1.6);
		}
		ev[nev].ts = t->datec;
		ev[nev++].tk = i;
		if (t->status >= 8 && t->date_close != T_ZERO)
		{
			ev[nev].ts = t->date_close;
			ev[nev].tk = i;
			ev[nev++].close = 1;
		}
	}
	qsort(ev, nev, sizeof(Ev), cmp_ev);
	for (i = 0; i < nev; i++)
	{
		Tk		   *t = &tk[ev[i].tk];

		F_int(ta, i + 1);
		snprintf(b, sizeof b, "%d", i + 1);
		F_str(ta, b);
		F_int(ta, 1);
		F_dt(ta, ev[i].ts);
		F_dt(ta, ev[i].ts);
		F_int(ta, 40);
		F_str(ta, ev[i].close ? "AC_TICKET_CLOSE" : "AC_TICKET_CREATE");
		F_dt(ta, ev[i].ts);
		F_dt(ta, ev[i].ts);
		F_int(ta, G.admin);
		F_intn(ta, t->tech + 2, 1);
		F_int(ta, t->soc);
		F_intn(ta, t->proj, 0);
		F_int(ta, -1);
		snprintf(b, sizeof b, "Ticket n°%d %s", ev[i].tk + 1, ev[i].close ? "fermé" : "créé");
		F_str(ta, b);
		F_null(ta);
		F_int(ta, ev[i].tk + 1);
		F_str(ta, "ticket");
		F_end(ta);
	}
	free(ev);
}
