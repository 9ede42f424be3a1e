/*
 * gen_projects.c: projects (chantiers), their tasks and the time spent on them
 * (llx_projet, llx_projet_task, llx_element_time).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

static const char *const proj_titles[] = {
	"Rénovation salle de bain", "Extension maison", "Mise aux normes électriques",
	"Ravalement de façade", "Réfection toiture", "Installation pompe à chaleur",
	"Aménagement combles", "Rénovation énergétique", "Réhabilitation cage d'escalier",
	"Création cuisine", "Remplacement chaudière collective", "Isolation par l'extérieur",
};
#define NTITLE ((int) (sizeof proj_titles / sizeof proj_titles[0]))

static const char *const task_labels[] = {
	"Relevé et métré", "Démolition", "Gros œuvre", "Plomberie", "Électricité", "Chauffage",
	"Menuiserie", "Plâtrerie / isolation", "Peinture", "Nettoyage de chantier",
	"Réception des travaux",
};
#define NTASKL ((int) (sizeof task_labels / sizeof task_labels[0]))

void
gen_projects(void)
{
	Rng			r,
				rt;
	Tbl		   *tp,
			   *tt,
			   *te;
	double	   *w = xcalloc(G.ncust, sizeof(double));
	int			i,
				k_ebs,
				k_dup,
				k_zero,
				task_id = 0,
				time_id = 0;
	char		b[256];

	tp = tbl_open("llx_projet",
				  "rowid,fk_soc,datec,tms,dateo,datee,ref,entity,title,description,"
				  "fk_user_creat,public,fk_statut,opp_amount,budget_amount,usage_opportunity,"
				  "usage_task,usage_bill_time,date_close,fk_user_close", NULL, 0);
	tt = tbl_open("llx_projet_task",
				  "rowid,ref,entity,fk_projet,fk_task_parent,datec,tms,dateo,datee,label,"
				  "description,duration_effective,planned_workload,progress,priority,"
				  "fk_user_creat,fk_statut,rang,billable", NULL, 0);
	te = tbl_open("llx_element_time",
				  "rowid,fk_element,elementtype,element_date,element_datehour,"
				  "element_date_withhour,element_duration,fk_user,thm,datec,tms,note", NULL, 0);

	rng_init(&r, G.seed, ST_PROJ, 0);
	for (i = 0; i < G.ncust; i++)
	{
		Cust	   *c = &G.cust[i];

		w[i] = c->kind == K_PREMIUM ? 8 : c->kind == K_NEW ? 0.5 : 1;
		if (c->last - c->first < 40)
			w[i] = 0.05;
	}
	G.proj = xcalloc(G.nproj, sizeof(Proj));
	k_ebs = dirt_count(G.nproj, 0.03);
	k_dup = dirt_count(G.nproj, 0.05);
	k_zero = dirt_count(G.nproj, 0.05);
	for (i = 0; i < G.nproj; i++)
	{
		Proj	   *p = &G.proj[i];
		Cust	   *c;
		int			rowid = i + 1,
					ntask,
					t,
					lab0,
					y,
					m,
					d;
		int64_t		lo,
					hi,
					datec,
					pe;
		int			ebs = i % (G.nproj / k_ebs) == 1 && i / (G.nproj / k_ebs) < k_ebs;
		int			dupt = i % (G.nproj / k_dup) == 2 && i / (G.nproj / k_dup) < k_dup;

		p->soc = rpick(&r, w, G.ncust) + 1;
		c = &G.cust[p->soc - 1];
		lo = c->first;
		hi = c->last - 20;
		if (hi < lo)
			hi = lo;
		p->dateo = rint2(&r, (int) lo, (int) hi);
		p->datee = p->dateo + rint2(&r, 20, 240);
		p->budget = floor((c->kind == K_PREMIUM ? runif2(&r, 40000, 250000)
						   : runif2(&r, 5000, 60000)) / 100) * 100;
		p->status = p->datee < G.end - 15 ? (rbern(&r, 0.9) ? 2 : 1)
			: (p->dateo > G.end - 30 && rbern(&r, 0.3) ? 0 : 1);
		c->proj = rowid;
		pe = p->datee;
		if (ebs)
		{
			pe = p->dateo - rint2(&r, 5, 60);
			truth_dirt("end_before_start", "llx_projet", rowid, "datee");
		}
		datec = p->dateo - rint2(&r, 5, 45);
		civil_from_days(datec, &y, &m, &d);
		F_int(tp, rowid);
		F_int(tp, p->soc);
		F_dt(tp, ts_of(datec, 9, rint2(&r, 0, 59), 0));
		F_dt(tp, ts_of(p->status == 2 ? p->datee + 2 : G.end, 8, 0, 0));
		F_date(tp, p->dateo);
		F_date(tp, pe);
		snprintf(b, sizeof b, "PJ%02d%02d-%04d", y % 100, m, rowid);
		F_str(tp, b);
		F_int(tp, 1);
		snprintf(b, sizeof b, "%s – %s", proj_titles[rint2(&r, 0, NTITLE - 1)],
				 cities[c->city].name);
		F_str(tp, b);
		F_str(tp, "Chantier suivi par le conducteur de travaux.\nDevis signé.");
		F_int(tp, G.admin);
		F_int(tp, 0);
		F_int(tp, p->status);
		F_dbl(tp, p->budget, 8);
		F_dbl(tp, p->budget, 8);
		F_int(tp, 0);
		F_int(tp, 1);
		F_int(tp, 1);
		F_dt(tp, p->status == 2 ? ts_of(p->datee + 2, 17, 0, 0) : T_NULL);
		F_intn(tp, p->status == 2 ? G.admin : 0, 0);
		F_end(tp);

		/* tasks: distinct labels, except the planted duplicates */
		rng_init(&rt, G.seed, ST_TASK, (uint64_t) rowid);
		ntask = rint2(&rt, 3, 7);
		lab0 = rint2(&rt, 0, NTASKL - 1);
		for (t = 0; t < ntask; t++)
		{
			int			tid = ++task_id;
			int64_t		td0 = p->dateo + (p->datee - p->dateo) * t / ntask,
						td1 = p->dateo + (p->datee - p->dateo) * (t + 1) / ntask;
			double		planned = rint2(&rt, 2, 20) * 4 * 3600.0,
						spent = 0;
			int			n,
						e,
						dupl = dupt && t == 1;
			int			done = td1 < G.end;

			n = td0 <= G.end ? (int) (planned / 3600 / 6 * runif2(&rt, 0.6, 1.3)) + 1 : 0;
			for (e = 0; e < n; e++)
			{
				int64_t		day = td0 + rint2(&rt, 0, (int) (td1 - td0));
				int			u = rint2(&rt, 0, G.ntech - 1);
				int			hours2 = rint2(&rt, 2, 16);		/* half hours */
				int			zero;

				if (day > G.end)
					day = G.end;
				zero = i % (G.nproj / k_zero) == 3 && i / (G.nproj / k_zero) < k_zero && e == 0
					&& t == 0;
				time_id++;
				if (zero)
				{
					truth_dirt("zero_date", "llx_element_time", time_id, "element_date");
				}
				spent += hours2 * 1800.0;
				F_int(te, time_id);
				F_int(te, tid);
				F_str(te, "task");
				F_date(te, zero ? T_ZERO : day);
				F_dt(te, ts_of(day, 8, 0, 0));
				F_int(te, 0);
				F_dbl(te, hours2 * 1800.0, 0);
				F_int(te, u + 2);
				F_dbl(te, G.tech[u].thm, 8);
				F_dt(te, ts_of(day, 18, rint2(&rt, 0, 59), 0));
				F_dt(te, ts_of(day, 18, 30, 0));
				F_str(te, e % 5 == 4 ? "Reprise après intempéries" : NULL);
				F_end(te);
			}
			F_int(tt, tid);
			snprintf(b, sizeof b, "TK%02d%02d-%05d", y % 100, m, tid);
			F_str(tt, b);
			F_int(tt, 1);
			F_int(tt, rowid);
			F_int(tt, 0);
			F_dt(tt, ts_of(datec, 10, 0, 0));
			F_dt(tt, ts_of(td1 < G.end ? td1 : G.end, 19, 0, 0));
			F_dt(tt, ts_of(td0, 8, 0, 0));
			F_dt(tt, ts_of(td1, 17, 0, 0));
			if (dupl)
				truth_dirt("duplicate_ref", "llx_projet_task", tid, "label");
			F_str(tt, task_labels[(lab0 + t - dupl) % NTASKL]);
			F_null(tt);
			F_dbl(tt, spent, 0);
			F_dbl(tt, planned, 0);
			F_int(tt, done ? 100 : (td0 < G.end ? 50 : 0));
			F_int(tt, 0);
			F_int(tt, G.admin);
			F_int(tt, done && p->status == 2 ? 3 : 1);
			F_int(tt, t + 1);
			F_int(tt, 1);
			F_end(tt);
		}
	}
	free(w);
}
