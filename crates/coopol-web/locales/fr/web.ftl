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
error-forbidden-text = Le formulaire a expiré ou ne vient pas de ce site. Rien n’a été modifié : rechargez la page et recommencez.
error-bad-request-title = Demande illisible
error-bad-request-text = Le formulaire envoyé est incomplet ou mal formé. Rien n’a été modifié.
error-refused-title = Impossible de faire cela
error-refused-text = La demande enfreint une règle de l’instance. Rien n’a été modifié.
error-too-many-title = Trop de tentatives
error-too-many-text = Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer.
error-internal-title = Erreur du serveur
error-internal-text = Quelque chose s’est mal passé de notre côté. Réessayez dans un moment ; si cela continue, prévenez l’administration de l’instance.

## Page d’accueil de l’instance
front-title = Bienvenue
front-default-description = Une instance coopol : les groupes et les événements de la section, ouverts sur le fédivers.
front-how-to-join = Comment nous rejoindre
front-join-open = Les inscriptions sont ouvertes : créez votre compte depuis une application Mastodon.
front-join-closed = Les comptes sont créés par le ou la secrétaire de la section : demandez-lui une invitation.
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
post-content-warning = Avertissement :
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
signin-no-account = Pas encore de compte ? Demandez une invitation au ou à la secrétaire de votre section.

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
compose-spoiler-hint = S’il est rempli, seul cet avertissement s’affiche ; le message se déplie d’un clic.
compose-visibility = Qui peut voir ce message ?
compose-who-sees = Qui le voit :
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
