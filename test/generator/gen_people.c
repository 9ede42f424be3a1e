/*
 * gen_people.c: users (technicians), customers and suppliers (llx_user, llx_societe).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

static const char *const last_names[][2] = {
	{"Martin", "martin"}, {"Bernard", "bernard"}, {"Dubois", "dubois"}, {"Thomas", "thomas"},
	{"Robert", "robert"}, {"Richard", "richard"}, {"Petit", "petit"}, {"Durand", "durand"},
	{"Leroy", "leroy"}, {"Moreau", "moreau"}, {"Simon", "simon"}, {"Laurent", "laurent"},
	{"Lefèvre", "lefevre"}, {"Michel", "michel"}, {"Garcia", "garcia"}, {"Fabre", "fabre"},
	{"Bertrand", "bertrand"}, {"Roux", "roux"}, {"Vincent", "vincent"}, {"Fournier", "fournier"},
	{"Girard", "girard"}, {"Bonnet", "bonnet"}, {"Dupré", "dupre"}, {"Lambert", "lambert"},
	{"Fontaine", "fontaine"}, {"Rousseau", "rousseau"}, {"Blanc", "blanc"}, {"Guérin", "guerin"},
	{"Müller", "muller"}, {"Chevalier", "chevalier"}, {"François", "francois"},
	{"Nguyễn", "nguyen"}, {"Benoît", "benoit"}, {"Gaëlle-Hervé", "gaelleherve"},
	{"Ó Brien", "obrien"}, {"Lemaître", "lemaitre"}, {"Mercier", "mercier"}, {"Boyer", "boyer"},
};
#define NLAST ((int) (sizeof last_names / sizeof last_names[0]))

static const char *const first_names[] = {
	"Jean", "Marie", "Pierre", "Sophie", "Luc", "Camille", "Hélène", "Jérôme", "Zoé", "Noël",
	"Léa", "Raphaël", "Inès", "Mathéo", "Chloé", "Karim", "Anaïs", "Yannick", "Maëlle", "Loïc",
};
#define NFIRST ((int) (sizeof first_names / sizeof first_names[0]))

static const char *const cust_prefix[] = {
	"SCI", "SARL", "Copropriété", "Cabinet", "Restaurant", "Boulangerie", "Hôtel", "Syndic",
	"Mairie de", "Résidence", "M.", "Mme", "Garage", "Pharmacie", "École", "Clinique",
};
#define NPREFIX ((int) (sizeof cust_prefix / sizeof cust_prefix[0]))

static const char *const emojis[] = {"🏠", "🔧", "🥖", "🍕", "🌟", "🏗️", "😀"};

static const char *const domains[] = {"orange.fr", "gmail.com", "wanadoo.fr", "free.fr", "sfr.fr",
"laposte.net"};

static Tbl *t_user,
		   *t_soc;

static void
gen_users(Rng *r)
{
	int			i;

	t_user = tbl_open("llx_user",
					  "rowid,entity,login,lastname,firstname,admin,employee,datec,tms,statut,"
					  "job,email,town,thm,tjm,dateemployment,gender,weeklyhours", NULL, 0);
	G.admin = 1;
	G.tech = xcalloc(G.ntech, sizeof(Tech));
	for (i = 0; i <= G.ntech; i++)
	{
		int			l = rint2(r, 0, NLAST - 1),
					f = rint2(r, 0, NFIRST - 1);
		int64_t		hired = G.start - rint2(r, 30, 3000);
		char		login[64],
					email[128];
		double		thm;

		if (i == 0)
		{
			snprintf(login, sizeof login, "admin");
			snprintf(email, sizeof email, "admin@btp-services.fr");
			thm = 60;
		}
		else
		{
			Tech	   *t = &G.tech[i - 1];

			snprintf(login, sizeof login, "%c%s%d", "jmplscahzn"[f % 10], last_names[l][1], i + 1);
			snprintf(email, sizeof email, "%s@btp-services.fr", login);
			t->city = rint2(r, 0, NCITY - 1);
			t->speed = exp(0.12 * rnorm3(r));
			if (t->speed < 0.8)
				t->speed = 0.8;
			if (t->speed > 1.25)
				t->speed = 1.25;
			thm = floor(runif2(r, 32, 55) * 4) / 4;
			t->thm = thm;
		}
		F_int(t_user, i + 1);
		F_int(t_user, 1);
		F_str(t_user, login);
		F_str(t_user, i == 0 ? "Administrateur" : last_names[l][0]);
		F_str(t_user, i == 0 ? NULL : first_names[f]);
		F_int(t_user, i == 0);
		F_int(t_user, i == 0 ? 0 : 1);
		F_dt(t_user, ts_of(hired, 9, 0, 0));
		F_dt(t_user, ts_of(hired, 9, 5, 0));
		F_int(t_user, 1);
		F_str(t_user, i == 0 ? "Gérant" : (i % 3 == 0 ? "Chef d'équipe" : "Technicien"));
		F_str(t_user, email);
		F_str(t_user, i == 0 ? "Lyon" : cities[G.tech[i - 1].city].name);
		F_dbl(t_user, thm, 8);
		F_dbl(t_user, thm * 7.5, 8);
		F_date(t_user, hired);
		F_str(t_user, (f % 2) ? "woman" : "man");
		F_dbl(t_user, 35, 8);
		F_end(t_user);
	}
}

static void
soc_row(int rowid, const char *nom, const char *email, int city, int client, int fourn,
		int64_t datec, Rng *r, int null_town)
{
	char		b[64],
				code[32];
	int			y,
				m,
				d;
	const City *c = &cities[city];

	civil_from_days(datec, &y, &m, &d);
	F_int(t_soc, rowid);
	F_str(t_soc, nom);
	F_null(t_soc);
	F_int(t_soc, 1);
	F_int(t_soc, 0);
	F_int(t_soc, 1);
	snprintf(code, sizeof code, "CU%02d%02d-%05d", y % 100, m, rowid);
	F_str(t_soc, client ? code : NULL);
	snprintf(code, sizeof code, "SU%02d%02d-%05d", y % 100, m, rowid);
	F_str(t_soc, fourn ? code : NULL);
	snprintf(b, sizeof b, "%d rue %s", rint2(r, 1, 180),
			 last_names[rint2(r, 0, NLAST - 1)][0]);
	F_str(t_soc, b);
	snprintf(b, sizeof b, "%s%03d", c->zip, rint2(r, 0, 20) * 10);
	F_str(t_soc, b);
	F_str(t_soc, null_town ? NULL : c->name);
	F_int(t_soc, 1);
	F_dbl(t_soc, c->lat + runif2(r, -0.08, 0.08), 8);
	F_dbl(t_soc, c->lon + runif2(r, -0.08, 0.08), 8);
	snprintf(b, sizeof b, "0%d %02d %02d %02d %02d", rint2(r, 1, 5), rint2(r, 0, 99),
			 rint2(r, 0, 99), rint2(r, 0, 99), rint2(r, 0, 99));
	F_str(t_soc, b);
	F_str(t_soc, email);
	F_int(t_soc, client);
	F_int(t_soc, fourn);
	snprintf(b, sizeof b, "%09d", 300000000 + rowid * 7919 % 600000000);
	F_str(t_soc, b);
	F_int(t_soc, 1);
	F_dt(t_soc, ts_of(datec, 10, rint2(r, 0, 59), rint2(r, 0, 59)));
	F_dt(t_soc, ts_of(datec, 18, 0, 0));
	F_int(t_soc, G.admin);
	F_str(t_soc, "fr_FR");
	F_end(t_soc);
}

void
gen_people(void)
{
	Rng			r;
	int			i,
				k,
				step;
	char		nom[256],
				email[128],
				prev_nom[256] = "",
				prev_email[128] = "";

	rng_init(&r, G.seed, ST_PEOPLE, 0);
	gen_users(&r);

	t_soc = tbl_open("llx_societe",
					 "rowid,nom,name_alias,entity,statut,status,code_client,code_fournisseur,"
					 "address,zip,town,fk_pays,geolat,geolong,phone,email,client,fournisseur,"
					 "siren,tva_assuj,datec,tms,fk_user_creat,default_lang", NULL, 0);
	G.cust = xcalloc(G.ncust, sizeof(Cust));
	k = dirt_count(G.ncust, 0.01);
	step = G.ncust / (k + 1);
	for (i = 0; i < G.ncust; i++)
	{
		Cust	   *c = &G.cust[i];
		static const double kw[K_NKIND] = {0.10, 0.15, 0.12, 0.08, 0.55};
		int			rowid = i + 1;
		int			dup = 0,
					emo = 0,
					nul = 0;
		int64_t		datec;

		c->kind = rpick(&r, kw, K_NKIND);
		c->city = rint2(&r, 0, NCITY - 1);
		switch (c->kind)
		{
			case K_NEW:
				c->first = G.end - rint2(&r, 15, 85);
				c->last = G.end;
				c->w = 2.5;
				break;
			case K_ATRISK:
				c->first = G.start + rint2(&r, 0, 300);
				c->last = G.end - rint2(&r, 200, 330);
				c->w = 1.3;
				break;
			default:
				c->first = rbern(&r, 0.6) ? G.start : G.start + rint2(&r, 0, 500);
				c->last = G.end;
				c->w = c->kind == K_FREQUENT ? 5.0 : c->kind == K_PREMIUM ? 1.5 : 1.0;
		}
		datec = c->kind == K_NEW ? c->first - rint2(&r, 0, 5) : c->first - rint2(&r, 5, 400);
		snprintf(nom, sizeof nom, "%s %s", cust_prefix[rint2(&r, 0, NPREFIX - 1)],
				 last_names[rint2(&r, 0, NLAST - 1)][0]);
		snprintf(email, sizeof email, "contact%d@%s", rowid, domains[rint2(&r, 0, 5)]);
		if (step >= 4 && i > 0 && i % step == 0 && i / step <= k)
			dup = 1;
		if (step >= 4 && i % step == step / 2 && i / step < k)
			emo = 1;
		if (step >= 4 && i % step == step / 4 && i / step < k)
			nul = 1;
		if (dup)
		{
			/* the same customer entered twice: same name and e-mail, another code */
			snprintf(nom, sizeof nom, "%s", prev_nom);
			snprintf(email, sizeof email, "%s", prev_email);
			truth_dirt("duplicate_ref", "llx_societe", rowid, "nom");
		}
		if (emo)
		{
			size_t		n = strlen(nom);

			snprintf(nom + n, sizeof nom - n, " %s", emojis[rint2(&r, 0, 6)]);
			truth_dirt("emoji", "llx_societe", rowid, "nom");
		}
		if (nul)
			truth_dirt("null_value", "llx_societe", rowid, "town");
		soc_row(rowid, nom, email, c->city, rbern(&r, 0.15) ? 3 : 1, 0, datec, &r, nul);
		truth_segment(rowid, kind_names[c->kind]);
		snprintf(prev_nom, sizeof prev_nom, "%s", nom);
		snprintf(prev_email, sizeof prev_email, "%s", email);
	}
	for (i = 0; i < G.nsupp; i++)
	{
		static const char *const sup[] = {
			"Point.P", "Cedeo", "Rexel", "Sonepar", "Brico Pro", "Würth", "Legallais",
			"Tereva", "Gédimat", "Prolians", "Samse", "Richardson",
		};
		int			rowid = G.ncust + i + 1;

		snprintf(nom, sizeof nom, "%s %s", sup[i % 12], cities[i % NCITY].name);
		snprintf(email, sizeof email, "commandes%d@fournisseur-btp.fr", rowid);
		soc_row(rowid, nom, email, i % NCITY, 0, 1, G.start - rint2(&r, 200, 2000), &r, 0);
	}
}
