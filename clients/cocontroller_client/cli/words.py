"""The words of the documents a data subject reads (`customer export`), in nl, fr, de and en:
headings and the closed vocabularies of the model. The texts the rule packs hold (purposes,
recipients, retention) come translated from the server."""

HEADINGS = {
    "title": {"nl": "Gegevens over klant {id}, op {day}", "fr": "Données concernant le client {id}, au {day}",
              "de": "Daten über den Kunden {id}, am {day}", "en": "Data held about customer {id}, on {day}"},
    "record": {"nl": "Klantgegevens", "fr": "Fiche client", "de": "Kundendaten", "en": "Customer record"},
    "contacts": {"nl": "Contacten", "fr": "Contacts", "de": "Kontakte", "en": "Contacts"},
    "preferences": {"nl": "Voorkeursverdelers", "fr": "Distributeurs préférés", "de": "Bevorzugte Vertragshändler",
                    "en": "Preferred distributors"},
    "consents": {"nl": "Toestemmingen", "fr": "Consentements", "de": "Einwilligungen", "en": "Consents"},
    "contracts": {"nl": "Contracten", "fr": "Contrats", "de": "Verträge", "en": "Contracts"},
    "disputes": {"nl": "Geschillen", "fr": "Litiges", "de": "Streitfälle", "en": "Disputes"},
    "objections": {"nl": "Bezwaren", "fr": "Oppositions", "de": "Widersprüche", "en": "Objections"},
    "assignments": {"nl": "Verantwoordelijke verdeler en zijn geschiedenis", "fr": "Distributeur responsable et son historique",
                    "de": "Zuständiger Vertragshändler und sein Verlauf", "en": "Responsible distributor and its history"},
    "notices": {"nl": "Kennisgevingen", "fr": "Avis", "de": "Mitteilungen", "en": "Notices"},
    "controllers": {"nl": "Verwerkingsverantwoordelijken", "fr": "Responsables du traitement",
                    "de": "Verantwortliche", "en": "Controllers"},
    "purposes": {"nl": "Doeleinden", "fr": "Finalités", "de": "Zwecke", "en": "Purposes"},
    "recipients": {"nl": "Ontvangers", "fr": "Destinataires", "de": "Empfänger", "en": "Recipients"},
    "transfers": {"nl": "Doorgiften buiten de EER", "fr": "Transferts hors de l'EEE",
                  "de": "Übermittlungen außerhalb des EWR", "en": "Transfers outside the EEA"},
    "retention": {"nl": "Bewaring", "fr": "Conservation", "de": "Aufbewahrung", "en": "Retention"},
}

WORDS = {
    "none": {"nl": "geen", "fr": "aucun", "de": "keine", "en": "none"},
    # a lead for the brand, through no dealer
    "brand": {"nl": "merk", "fr": "marque", "de": "Marke", "en": "brand"},
    "since": {"nl": "sinds", "fr": "depuis", "de": "seit", "en": "since"},
    "until": {"nl": "tot", "fr": "jusqu'au", "de": "bis", "en": "until"},
    "given": {"nl": "gegeven op", "fr": "donné le", "de": "erteilt am", "en": "given on"},
    "withdrawn": {"nl": "ingetrokken op", "fr": "retiré le", "de": "widerrufen am", "en": "withdrawn on"},
    "revoked": {"nl": "ingetrokken op", "fr": "révoqué le", "de": "widerrufen am", "en": "revoked on"},
    "opened": {"nl": "geopend op", "fr": "ouvert le", "de": "eröffnet am", "en": "opened on"},
    "closed": {"nl": "afgesloten op", "fr": "clos le", "de": "abgeschlossen am", "en": "closed on"},
    "erase_after": {"nl": "te wissen na", "fr": "à effacer après", "de": "zu löschen nach", "en": "to be erased after"},
    "kept": {"nl": "bewaard zolang nodig", "fr": "conservé tant que nécessaire", "de": "aufbewahrt solange nötig",
             "en": "kept while needed"},
    "legal_hold": {"nl": "bewaard zolang het geschil loopt", "fr": "conservé tant que le litige est ouvert",
                   "de": "aufbewahrt, solange der Streitfall offen ist", "en": "kept while the dispute is open"},
    "direct_marketing": {"nl": "direct marketing", "fr": "prospection commerciale", "de": "Direktwerbung",
                         "en": "direct marketing"},
    "from": {"nl": "vanaf", "fr": "à partir du", "de": "ab", "en": "from"},
    "postcode": {"nl": "postcode", "fr": "code postal", "de": "Postleitzahl", "en": "postcode"},
    "language": {"nl": "taal", "fr": "langue", "de": "Sprache", "en": "language"},
    "partner": {"nl": "partner", "fr": "partenaire", "de": "Partner", "en": "partner"},
    # a fact taken back, or a contract's version replaced by its correction (GDPR art. 16)
    "retracted": {"nl": "teruggetrokken op", "fr": "retiré le", "de": "zurückgezogen am", "en": "retracted on"},
    "corrected": {"nl": "verbeterd op", "fr": "rectifié le", "de": "berichtigt am", "en": "corrected on"},
}

CONTACT_KINDS = {
    "purchase": {"nl": "aankoop", "fr": "achat", "de": "Kauf", "en": "purchase"},
    "service_visit": {"nl": "onderhoud of herstelling", "fr": "entretien ou réparation",
                      "de": "Wartung oder Reparatur", "en": "service visit"},
    "test_drive_request": {"nl": "aanvraag proefrit", "fr": "demande d'essai", "de": "Probefahrtanfrage",
                           "en": "test drive request"},
    "quote": {"nl": "offerteaanvraag", "fr": "demande d'offre", "de": "Angebotsanfrage", "en": "quote request"},
    "brochure": {"nl": "brochureaanvraag", "fr": "demande de brochure", "de": "Broschürenanfrage",
                 "en": "brochure request"},
    "showroom_visit": {"nl": "bezoek aan de showroom", "fr": "visite du showroom", "de": "Besuch im Showroom",
                       "en": "showroom visit"},
    "complaint": {"nl": "klacht", "fr": "plainte", "de": "Beschwerde", "en": "complaint"},
    "other": {"nl": "andere vraag", "fr": "autre demande", "de": "andere Anfrage", "en": "other request"},
}

CHANNELS = {
    "email": {"nl": "e-mail", "fr": "e-mail", "de": "E-Mail", "en": "e-mail"},
    "sms": {"nl": "sms", "fr": "SMS", "de": "SMS", "en": "SMS"},
    "phone": {"nl": "telefoon", "fr": "téléphone", "de": "Telefon", "en": "telephone"},
    "post": {"nl": "post", "fr": "courrier", "de": "Post", "en": "post"},
    "social": {"nl": "sociale netwerken", "fr": "réseaux sociaux", "de": "soziale Netzwerke", "en": "social networks"},
}

SOURCES = {
    "web_form": {"nl": "webformulier", "fr": "formulaire web", "de": "Webformular", "en": "web form"},
    "showroom": {"nl": "showroom", "fr": "showroom", "de": "Showroom", "en": "showroom"},
    "call_centre": {"nl": "callcenter", "fr": "centre d'appels", "de": "Callcenter", "en": "call centre"},
    "app": {"nl": "app", "fr": "application", "de": "App", "en": "app"},
}

CONTRACT_KINDS = {
    "purchase": {"nl": "aankoop", "fr": "achat", "de": "Kauf", "en": "purchase"},
    "lease": {"nl": "leasing", "fr": "leasing", "de": "Leasing", "en": "lease"},
    "financing": {"nl": "financiering", "fr": "financement", "de": "Finanzierung", "en": "financing"},
    "insurance": {"nl": "verzekering", "fr": "assurance", "de": "Versicherung", "en": "insurance"},
    "maintenance": {"nl": "onderhoudscontract", "fr": "contrat d'entretien", "de": "Wartungsvertrag",
                    "en": "maintenance contract"},
}
