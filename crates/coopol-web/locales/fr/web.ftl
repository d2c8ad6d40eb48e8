# Interface web de coopol, en français. Chaque clé existe aussi dans ../en/web.ftl.

## Mise en page
skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-front = Accueil de l’instance
nav-home = Accueil
nav-local = Fil local
nav-settings = Réglages
nav-signin = Se connecter
nav-signout = Se déconnecter
footer-powered = Propulsé par coopol, logiciel libre (AGPL-3.0 ou ultérieure).

## Erreurs
error-back-home = Retour à l’accueil
error-not-found-title = Page introuvable
error-not-found-text = Cette page n’existe pas, ou vous n’avez pas le droit de la voir.
error-forbidden-title = Action refusée
error-forbidden-text = Le formulaire a expiré ou ne vient pas de ce site. Rien n’a été modifié : rechargez la page et recommencez.
error-bad-request-title = Demande illisible
error-bad-request-text = Le formulaire envoyé est incomplet ou mal formé. Rien n’a été modifié.
error-refused-title = Impossible de faire cela
error-refused-text = La demande enfreint une règle de l’instance. Rien n’a été modifié.
error-too-many-title = Trop de tentatives
error-too-many-text = Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer.
error-internal-title = Erreur du serveur
error-internal-text = Quelque chose s’est mal passé de notre côté. Réessayez dans un moment ; si cela continue, prévenez l’administration de l’instance.

## Page d’accueil de l’instance
front-title = Bienvenue
front-default-description = Une instance coopol : les groupes et les événements de la section, ouverts sur le fédivers.
front-how-to-join = Comment nous rejoindre
front-join-open = Les inscriptions sont ouvertes : créez votre compte ici, puis utilisez-le dans le navigateur ou dans une application Mastodon.
front-join-approval = Demandez un compte ici : l’équipe de l’instance valide les nouveaux comptes.
front-join-invite = Les nouveaux membres arrivent avec un lien d’invitation : demandez-en un au ou à la secrétaire de votre section.
front-join-closed = Les comptes sont créés par le ou la secrétaire de la section : demandez-lui une invitation.
front-join-apps = Vous pouvez aussi utiliser n’importe quelle application Mastodon avec l’adresse { $name }.
front-events = Prochains événements
front-no-events = Aucun événement public à venir pour l’instant.
front-posts = Dernières publications
front-no-posts = Personne n’a encore publié publiquement ici.
front-about = À propos de l’instance
front-groups = Groupes
front-no-groups = Pas encore de groupe public.
front-rules = Règles de l’instance

## Publications
post-boosted-by = { $name } a partagé
post-content-warning = Avertissement :
post-replies = { $count ->
    [one] { $count } réponse
   *[other] { $count } réponses
}
post-boosts = { $count ->
    [one] { $count } partage
   *[other] { $count } partages
}
post-favourites = { $count ->
    [one] { $count } favori
   *[other] { $count } favoris
}

## Qui voit ceci
who-public = Public, fédéré
who-unlisted = Public, hors des fils publics
who-followers = Les abonné·es de { $name }
who-direct = Seulement les personnes mentionnées

## Groupes et événements
group-join-open = Ouvert à tous
group-join-approval = Sur validation
group-join-invite = Sur invitation
event-cancelled = Annulé
event-online = En ligne
month-01 = janv.
month-02 = févr.
month-03 = mars
month-04 = avr.
month-05 = mai
month-06 = juin
month-07 = juil.
month-08 = août
month-09 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.

## Navigation (connecté·e)
nav-profile = Mon profil

## Connexion
signin-title = Se connecter
signin-intro = Connectez-vous à { $name } avec votre nom d’utilisateur·ice ou votre adresse e-mail.
signin-login = Nom d’utilisateur·ice ou adresse e-mail
signin-password = Mot de passe
signin-submit = Se connecter
signin-failed-title = Connexion impossible
signin-failed = Ce nom, cette adresse ou ce mot de passe ne convient pas. Vérifiez-les et réessayez.
signin-no-account = Pas encore de compte ?

## Fils
timeline-home-title = Accueil
timeline-home-intro = Les publications des personnes et des groupes que vous suivez, et les vôtres.
timeline-local-title = Fil local
timeline-local-intro = Les publications publiques des membres de { $name }.
timeline-posts = Publications
timeline-empty = Rien à afficher pour l’instant.
timeline-hashtag-intro = Les publications publiques connues ici qui portent { $name }.
timeline-older = Publications plus anciennes

## Fil de discussion
thread-title = Publication de { $name }
thread-replies = Réponses

## Rédaction
compose-title = Publier
compose-reply-title = Répondre
compose-text = Votre message
compose-spoiler = Avertissement de contenu (facultatif)
compose-spoiler-hint = S’il est rempli, seul cet avertissement s’affiche ; le message se déplie d’un clic.
compose-visibility = Qui peut voir ce message ?
compose-who-sees = Qui le voit :
compose-submit = Publier
compose-reply-submit = Répondre
visibility-public = Public
visibility-unlisted = Non listé
visibility-private = Abonné·es seulement
visibility-direct = Mentionné·es seulement

## Actions
action-reply = Répondre
action-favourite = Ajouter aux favoris
action-unfavourite = Retirer des favoris
action-boost = Partager
action-unboost = Ne plus partager
action-follow = Suivre
action-unfollow = Ne plus suivre
action-withdraw = Retirer la demande
action-join = Rejoindre le groupe
action-leave = Quitter le groupe

## Profil
profile-group = Groupe
profile-posts = Publications
profile-no-posts = Aucune publication visible.
profile-requested = Votre demande attend une réponse.
profile-remote-link = Voir sur son instance d’origine
profile-followers = { $count ->
    [one] { $count } abonné·e
   *[other] { $count } abonné·es
}
profile-following = { $count ->
    [one] { $count } abonnement
   *[other] { $count } abonnements
}

## Réglages
settings-title = Réglages
settings-language = Langue de l’interface
settings-language-browser = Celle de mon navigateur
settings-language-fr = Français
settings-language-en = English (anglais)
settings-language-save = Enregistrer la langue
settings-sessions = Sessions ouvertes
settings-sessions-intro = Les navigateurs où votre compte est connecté. Fermez une session que vous ne reconnaissez pas.
settings-session-current = Cette session
settings-session-unknown = Navigateur inconnu
settings-session-started = ouverte le { $name }
settings-session-seen = vue le { $name }
settings-session-end = Fermer cette session
settings-sessions-end-all = Se déconnecter partout

## Navigation : groupes
nav-groups = Groupes

## Erreurs : non autorisé
error-not-allowed-title = Non autorisé
error-not-allowed-text = Cette page ou cette action est réservée aux responsables (modérateurs ou administrateurs d’un groupe). Rien n’a été modifié. Si vous pensez devoir y accéder, demandez-le-leur.

## Annuaire des groupes
groups-title = Groupes
groups-intro = Groupes de travail, comités de quartier et campagnes : rejoignez ceux auxquels vous participez, suivez l’actualité des autres.
groups-here = Les groupes de { $name }
groups-none-here = Pas encore de groupe sur cette instance.
groups-elsewhere = Les groupes d’autres instances que vous suivez
groups-none-elsewhere = Vous ne suivez aucun groupe d’une autre instance. Ouvrez l’adresse d’un groupe (comme https://autre.example/@groupe) pour le rejoindre.

## La page d’un groupe
group-members = { $count ->
    [one] { $count } membre
   *[other] { $count } membres
}
group-public = Public
group-private = Privé
group-elsewhere = Sur une autre instance
group-who-public = Ses publications sont publiques : tout le monde peut les lire, ici et sur les autres instances.
group-who-private = Ses publications sont réservées aux membres de { $name }.
group-join-open-help = Tout le monde peut rejoindre : vous devenez membre tout de suite.
group-join-approval-help = Une personne de la modération lit votre demande et y répond ; la page du groupe indique où elle en est.
group-join-invite-help = Seules les personnes invitées par la modération peuvent rejoindre.
group-invite-only = Ce groupe accueille de nouveaux membres sur invitation seulement. Demandez à l’une de ses modératrices ou l’un de ses modérateurs de vous inviter.
group-request-waiting = Votre demande pour rejoindre attend la réponse de la modération.
group-you-are = Vous êtes dans ce groupe en tant que : { $role }.
group-sign-in-to-join = Connectez-vous pour rejoindre ce groupe.
group-manage = Gérer le groupe
group-requests-link = { $count ->
    [0] Demandes d’adhésion (aucune en attente)
    [one] Demandes d’adhésion ({ $count } en attente)
   *[other] Demandes d’adhésion ({ $count } en attente)
}
group-members-link = Membres et rôles
group-events = Prochains événements
group-no-events = Aucun événement à venir pour ce groupe.
group-posts = Publications
group-no-posts = Le groupe n’a encore partagé aucune publication.
group-posts-members-only = Ce groupe est privé : ses publications sont réservées à ses membres.
group-about = À propos du groupe
group-rules = Règles du groupe
group-no-rules = Ce groupe n’a pas écrit de règles ; celles de l’instance s’appliquent.
group-how-title = Publier dans le groupe
group-how-post = Les membres publient dans le groupe en le mentionnant dans une publication ; le groupe la partage alors avec tous ses membres, sur toutes les instances.
group-role-admin = administrateur·rice
group-role-moderator = modérateur·rice
group-role-member = membre
group-role-sympathiser = sympathisant·e

## Demandes d’adhésion et membres (modération)
group-requests-title = Demandes pour rejoindre { $name }
group-requests-intro = Acceptez une demande et la personne devient membre ; refusez-la et elle en est informée. Chaque réponse est inscrite au journal de modération du groupe.
group-requests-none = Aucune demande en attente.
group-members-title = Membres de { $name }
group-members-intro = L’administration nomme les modérateurs et les autres administrateurs ; la modération fait passer les personnes de membre à sympathisant·e et inversement (une personne sympathisante reçoit les publications du groupe mais n’y publie pas).
group-role-of = Rôle de { $name }
action-ask-to-join = Demander à rejoindre
action-accept = Accepter
action-reject = Refuser
action-set-role = Changer le rôle
group-join-message = Message à la modération (facultatif)
group-join-message-hint = Dites qui vous êtes ou pourquoi vous voulez rejoindre. Seule la modération du groupe le lit.
group-request-no-message = Pas de message.
group-calendar = Ajouter les événements du groupe à votre agenda (flux iCalendar)

## Événements
nav-events = Événements
events-title = Événements
events-intro = Les événements publics de { $name } et de ses groupes, les plus proches d’abord.
events-upcoming = À venir
events-calendar = Ajouter ces événements à votre agenda (flux iCalendar)
events-calendar-hint = Copiez ce lien dans votre application d’agenda (abonnement par URL) : les nouveaux événements y apparaissent d’eux-mêmes.
event-when = Quand
event-where = Où
event-map = Voir sur OpenStreetMap
event-organiser = Organisé par
event-for-group = pour le groupe
event-participants = Participant·es
event-places-taken = { $count ->
    [one] { $count } place prise
   *[other] { $count } places prises
}
event-people-coming = { $count ->
    [one] { $count } personne vient
   *[other] { $count } personnes viennent
}
event-waiting-count = { $count ->
    [one] { $count } personne en liste d’attente
   *[other] { $count } personnes en liste d’attente
}
event-rsvp-title = Vous venez ?
event-sign-in = Connectez-vous pour dire que vous venez.
event-cancelled-text = Cet événement est annulé.
event-you-go = Vous venez.
event-you-maybe = Vous viendrez peut-être.
event-you-pending = Votre participation attend la validation des organisateur·ices.
event-you-waitlisted = { $count ->
    [one] L’événement est complet : vous êtes en tête de la liste d’attente. Vous aurez la prochaine place libérée.
   *[other] L’événement est complet : vous êtes numéro { $count } sur la liste d’attente.
}
event-you-declined = Les organisateur·ices ont décliné votre participation.
action-participate = Je viens
action-maybe = Peut-être
action-not-going = Je ne viens plus
action-leave-waitlist = Quitter la liste d’attente

## Notifications
nav-notifications = Notifications
notif-title = Notifications
notif-intro = Ce qui vous concerne : mentions, réponses, nouveaux abonnés, favoris, partages, sondages et événements.
notif-filter-label = Quelles notifications
notif-filter-all = Toutes
notif-filter-mentions = Mentions seulement
notif-empty = Aucune notification pour l’instant.
notif-older = Notifications plus anciennes
notif-mention = { $name } vous a mentionné·e
notif-status = { $name } a publié
notif-reblog = { $name } a partagé votre message
notif-follow = { $name } vous suit
notif-follow-request = { $name } demande à vous suivre
notif-favourite = { $name } a ajouté votre message à ses favoris
notif-poll = Le sondage de { $name } est terminé
notif-update = { $name } a modifié un message que vous avez partagé
notif-event-request = { $name } demande à participer à votre événement
notif-event-accepted = { $name } a accepté votre participation à l’événement
notif-event-reminder = Rappel : l’événement de { $name } commence bientôt
notif-other = Du nouveau ({ $name })

## Inscription
signup-title = Créer votre compte
signup-intro = Rejoignez { $name } : votre compte vous permet de suivre des groupes, de participer aux événements et de publier, ici et sur tout le fédivers.
signup-approval-intro = Les comptes de cette instance sont validés par son équipe : dites en quelques mots pourquoi vous voulez nous rejoindre ; vous pourrez vous connecter dès que votre demande sera acceptée.
signup-invited = Vous êtes invité·e à rejoindre { $name }. Choisissez votre nom et votre mot de passe.
signup-closed = Cette instance n’accepte pas de nouveaux comptes pour le moment. Si vous connaissez son équipe, demandez-lui de vous en créer un.
signup-invite-only = Cette instance accueille ses membres sur invitation. Demandez un lien d’invitation au ou à la secrétaire de votre section.
signup-invitation-invalid = Ce lien d’invitation ne fonctionne plus : il a expiré, a déjà servi autant que prévu ou a été retiré. Demandez-en un nouveau à la personne qui vous l’a envoyé.
signup-username = Nom d’utilisateur
signup-username-hint = Lettres, chiffres et tirets bas, 30 au plus. On vous trouvera sous le nom @nom@{ $name } ; il ne pourra plus être changé.
signup-email = Adresse e-mail
signup-email-hint = Pour vous connecter. Elle n’est jamais montrée aux autres.
signup-password = Mot de passe
signup-password-hint = Au moins 8 caractères. Quelques mots à la suite sont faciles à retenir et difficiles à deviner.
signup-reason = Pourquoi voulez-vous nous rejoindre ?
signup-reason-hint = Par exemple votre section locale ou le groupe auquel vous participez. 1 000 caractères au plus.
signup-agreement = J’ai lu les règles et je les accepte.
signup-submit = Créer mon compte
signup-submit-ask = Envoyer ma demande
signup-have-account = Vous avez déjà un compte ?
signup-link = Créer un compte
signup-errors-title = Il y a un problème
signup-error-username-invalid = Utilisez de 1 à 30 lettres, chiffres ou tirets bas, sans espace.
signup-error-username-taken = Ce nom est déjà pris : choisissez-en un autre.
signup-error-email-invalid = Saisissez une adresse e-mail, comme nom@exemple.org.
signup-error-email-taken = Un compte utilise déjà cette adresse e-mail. Connectez-vous plutôt, ou utilisez une autre adresse.
signup-error-password-short = Le mot de passe doit comporter au moins 8 caractères.
signup-error-password-long = Le mot de passe est trop long : 1 024 caractères au plus.
signup-error-reason-missing = Dites en quelques mots pourquoi vous voulez nous rejoindre.
signup-error-reason-long = Le texte est trop long : 1 000 caractères au plus.
signup-error-agreement = Acceptez les règles pour créer votre compte.
signup-waiting-title = Votre demande est envoyée
signup-waiting-text = L’équipe de l’instance va la lire bientôt. Une fois acceptée, vous pourrez vous connecter avec votre nom et votre mot de passe.
signin-awaiting-approval = Votre compte attend la validation de l’équipe. Vous pourrez vous connecter dès qu’il sera accepté.

## Administration : inscriptions et invitations
admin-nav-label = Pages d’administration
admin-nav-registrations = Inscriptions
admin-nav-invitations = Liens d’invitation
registrations-title = Inscriptions
registrations-waiting = En attente de validation
registrations-none-waiting = Personne n’attend.
registrations-asked = Demande du { $name }
registrations-approve = Accepter @{ $name }
registrations-reject = Refuser @{ $name }
registrations-mode = Qui peut créer un compte
registrations-mode-closed = Fermées
registrations-mode-closed-hint = Personne ne s’inscrit ; l’administration crée les comptes.
registrations-mode-invite = Sur invitation
registrations-mode-invite-hint = Seules les personnes qui ont un lien d’invitation peuvent s’inscrire.
registrations-mode-approval = Sur validation
registrations-mode-approval-hint = Tout le monde peut demander, en disant pourquoi ; un·e admin ou modérateur·rice valide. Un lien d’invitation évite l’attente.
registrations-mode-open = Ouvertes
registrations-mode-open-hint = Tout le monde peut s’inscrire tout de suite.
registrations-save = Enregistrer
registrations-admins-only = Seul·es les admins de l’instance choisissent qui peut s’inscrire.
registrations-done-mode = Enregistré : la page d’inscription suit le nouveau réglage.
registrations-done-approved = Accepté : la personne peut se connecter.
registrations-done-rejected = Refusé : la demande est supprimée.
registrations-done-created = Lien d’invitation créé : copiez-le ci-dessous et envoyez-le.
registrations-done-withdrawn = Retiré : plus personne ne peut s’inscrire avec ce lien.
invitations-title = Liens d’invitation
invitations-new = Créer un lien d’invitation
invitations-intro = Envoyez le lien par e-mail ou par message : la personne qui l’ouvre peut créer un compte, même quand les inscriptions se font sur invitation.
invitations-uses-label = Combien de personnes peuvent l’utiliser
invitations-uses-one = Une personne
invitations-uses-n = Jusqu’à { $count } personnes
invitations-uses-unlimited = Sans limite
invitations-days-label = Combien de temps il fonctionne
invitations-days-1 = Un jour
invitations-days-7 = Une semaine
invitations-days-30 = Un mois
invitations-days-never = Jusqu’à ce que je le retire
invitations-create = Créer le lien
invitations-fresh = Votre nouveau lien
invitations-fresh-hint = Copiez ce lien et envoyez-le :
invitations-list = Liens en service
invitations-none = Aucun lien d’invitation pour l’instant.
invitations-uses = Utilisé { $used } fois
invitations-uses-of = Utilisé { $used } fois sur { $max }
invitations-until = Fonctionne jusqu’au { $name }
invitations-no-expiry = Sans date de fin
invitations-spent = Ne fonctionne plus
invitations-withdraw = Retirer
invitations-mode-closed = Les inscriptions sont fermées : les liens d’invitation ne fonctionnent pas tant que vous n’avez pas choisi un autre réglage dans Inscriptions.

## My agenda
events-mine = Mon agenda
events-mine-empty = Rien de prévu pour l’instant : ouvrez un événement et dites que vous venez, il apparaîtra ici.
events-mine-feed = Créer mon lien d’agenda privé
events-mine-feed-hint = Une adresse privée pour votre application d’agenda, avec les événements que vous organisez ou auxquels vous participez, ici et sur d’autres instances. En créer une nouvelle arrête l’ancienne.
events-mine-feed-made = Votre lien d’agenda privé (copiez-le dans votre application d’agenda) :
events-mine-feed-secret = Gardez-le pour vous : qui l’a voit votre agenda. Il n’est montré que maintenant.

## Search
nav-search = Rechercher
search-title = Rechercher
search-title-for = Recherche : { $name }
search-label = Chercher des personnes, des groupes et des messages
search-hint = Un nom ou des mots ; ou une adresse comme @nom@section.example, !groupe@section.example, ou le lien d’un message.
search-submit = Rechercher
search-accounts = Personnes et groupes
search-no-accounts = Aucune personne ni aucun groupe de ce nom.
search-posts = Messages
search-no-posts = Aucun message avec ces mots.
search-posts-signin = Connectez-vous pour chercher dans le texte des messages.
search-no-handle = Personne n’est connu sous le nom { $name }. Vérifiez l’adresse ; les personnes d’autres serveurs sont trouvées une fois connecté·e.
search-no-url = Rien n’a pu être ouvert à ce lien : vérifiez-le, ou connectez-vous pour que cette instance le cherche sur son serveur.

## Administration (l’administration de l’instance)
nav-admin = Administration
error-admin-only-title = Réservé à l’administration de l’instance
error-admin-only-text = Cette page est réservée aux personnes qui gèrent l’instance. Rien n’a été modifié. Si vous pensez devoir y accéder, demandez à l’administration.
admin-title = Administration
admin-intro = L’état de l’instance, et ce que vous pouvez faire en tant qu’administratrice ou administrateur.
admin-nav-dashboard = Vue d’ensemble
admin-nav-accounts = Comptes
admin-nav-groups = Groupes
admin-nav-domains = Serveurs bloqués
admin-nav-log = Journal
admin-figures = Chiffres
admin-stat-accounts = comptes locaux
admin-stat-groups = groupes locaux
admin-stat-remote = comptes d’autres serveurs
admin-stat-posts = messages écrits ici
admin-stat-all-posts = messages connus ici
admin-stat-blocks = serveurs bloqués
admin-queues = Travail en attente
admin-queues-help-title = Que signifient ces nombres ?
admin-queues-help = Les messages et changements faits ici attendent un instant avant d’être envoyés aux autres serveurs, et ce que les autres serveurs envoient attend avant d’être appliqué. Quelques dizaines, c’est normal ; des nombres qui grossissent pendant des heures veulent dire que l’instance prend du retard ou qu’un serveur ne répond pas.
admin-queue-outbox = Changements à envoyer
admin-queue-deliveries = Envois vers d’autres serveurs
admin-queue-inbox = Reçus, pas encore appliqués
admin-media = Médias téléversés
admin-bytes = { $count ->
    [one] { $count } octet
   *[other] { $count } octets
}
admin-bytes-kb = { $count } ko
admin-bytes-mb = { $count } Mo
admin-bytes-gb = { $count } Go
admin-unavailable = Serveurs qui ne répondent pas
admin-unavailable-help = Les serveurs qui n’ont pas répondu plusieurs jours de suite. Rien ne leur est envoyé tant qu’ils ne répondent pas de nouveau.
admin-unavailable-none = Tous les serveurs répondent.
admin-since = Depuis le { $name }
admin-created = Créé le { $name }
admin-no-reason = Aucune raison indiquée.
admin-reason-label = Raison (facultatif)
admin-reason-too-long = { $count ->
    [one] La raison doit faire au plus { $count } caractère.
   *[other] La raison doit faire au plus { $count } caractères.
}
admin-error-summary = Il y a un problème
admin-error-prefix = Erreur :
admin-cancel = Annuler
admin-domains-title = Serveurs bloqués
admin-domains-intro = Un serveur bloqué ne peut plus rien échanger avec cette instance.
admin-domains-help-title = Que fait le blocage d’un serveur ?
admin-domains-help-deliveries = Tout ce que le serveur bloqué envoie ici est refusé, et plus rien ne lui est livré d’ici, y compris les messages qui attendaient d’être envoyés.
admin-domains-help-follows = Les abonnements entre des personnes d’ici et de là-bas restent enregistrés mais ne transmettent plus rien pendant le blocage. Quand vous levez le blocage, ils fonctionnent de nouveau.
admin-domains-help-subdomains = Le blocage couvre aussi les sous-domaines du serveur : bloquer spam.example bloque aussi social.spam.example.
admin-domains-add = Bloquer un serveur
admin-domain-label = Domaine du serveur
admin-domain-hint = Par exemple spam.example (ajoutez :port s’il n’est pas le port habituel). Vous pouvez aussi coller une adresse de ce serveur.
admin-domain-reason-hint = Pour les autres membres de l’administration et pour le journal : ce que ce serveur a fait.
admin-domain-block-button = Bloquer ce serveur
admin-domain-empty = Saisissez le domaine du serveur à bloquer.
admin-domain-invalid = Saisissez un domaine comme spam.example, sans espace.
admin-domain-already = { $name } est déjà bloqué.
admin-domains-list = Serveurs bloqués en ce moment
admin-domains-none = Aucun serveur n’est bloqué.
admin-domain-lift-button = Lever le blocage de { $name }
admin-done-blocked = Le serveur est bloqué.
admin-done-lifted = Le blocage est levé.
admin-done-suspended = Le compte est suspendu.
admin-done-unsuspended = Le compte peut de nouveau se connecter.
admin-done-deleted = Le compte est supprimé.
admin-done-group-suspended = Le groupe est suspendu.
admin-done-group-unsuspended = Le groupe est de retour.
admin-accounts-title = Comptes
admin-accounts-intro = Les personnes qui ont un compte sur cette instance.
admin-accounts-help-title = Suspendre ou supprimer ?
admin-accounts-help-suspend = La suspension est temporaire : la personne ne peut plus se connecter ni utiliser d’application, mais ses messages et abonnements sont conservés. Vous pouvez lever la suspension à tout moment.
admin-accounts-help-delete = La suppression est définitive : les messages sont effacés ici et sur les autres serveurs, et le nom ne pourra plus jamais être utilisé.
admin-accounts-count = { $count ->
    [one] { $count } compte
   *[other] { $count } comptes
}
admin-accounts-yours = C’est votre compte.
admin-role-admin = administration
admin-role-moderator = modération
admin-role-user = membre
admin-state-active = Actif
admin-state-suspended = Suspendu
admin-state-deleted = Supprimé
admin-suspend = Suspendre…
admin-suspend-button = Suspendre { $name }
admin-unsuspend-button = Lever la suspension de { $name }
admin-delete = Supprimer…
admin-confirm-intro = Cette action est irréversible. Voici ce qui va se passer :
admin-confirm-reason-hint = Conservée dans le journal des actions d’administration.
admin-delete-title = Supprimer le compte { $name } ?
admin-delete-posts = Tous ses messages sont effacés de cette instance.
admin-delete-federation = Les serveurs qui connaissent ce compte sont prévenus de sa suppression, et effacent aussi ses messages.
admin-delete-name = Le nom ne pourra plus jamais être utilisé sur cette instance.
admin-delete-final = La personne ne peut plus se connecter, et le compte ne peut pas être rétabli.
admin-delete-button = Supprimer { $name } définitivement
admin-groups-title = Groupes
admin-groups-intro = Les groupes de cette instance.
admin-groups-help-title = Que fait la suspension d’un groupe ?
admin-groups-help = Un groupe suspendu disparaît de cette instance, et les serveurs de ses membres d’ailleurs sont prévenus de sa suppression. Lever la suspension le fait revenir ici ; les personnes des autres serveurs doivent le rejoindre de nouveau.
admin-groups-count = { $count ->
    [one] { $count } groupe
   *[other] { $count } groupes
}
admin-groups-none = Cette instance n’a pas encore de groupe.
admin-group-suspend-title = Suspendre le groupe { $name } ?
admin-group-suspend-here = Le groupe disparaît de cette instance : personne ne peut plus le lire ni le rejoindre.
admin-group-suspend-federation = Les autres serveurs sont prévenus de la suppression du groupe ; leurs membres le quittent.
admin-group-suspend-back = Vous pourrez lever la suspension plus tard, mais les personnes des autres serveurs devront le rejoindre de nouveau.
admin-group-suspend-button = Suspendre { $name }
admin-log-title = Journal des actions d’administration
admin-log-intro = Ce que l’administration a fait, du plus récent au plus ancien : qui, quoi, quand et pourquoi.
admin-log-none = Rien pour l’instant.
admin-log-by = par { $name }
admin-log-command-line = la ligne de commande du serveur
admin-log-someone = un compte supprimé
admin-log-older = Entrées plus anciennes
admin-log-domain-block = Serveur bloqué :
admin-log-domain-unblock = Blocage levé :
admin-log-account-suspend = Compte suspendu :
admin-log-account-unsuspend = Suspension levée :
admin-log-account-delete = Compte supprimé :
admin-log-group-suspend = Groupe suspendu :
admin-log-group-unsuspend = Groupe de retour :
