"""Django settings. Everything that differs between machines comes from XINYONG_* variables."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from xinyong.config import database_config, env_bool, env_int, env_list, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("XINYONG_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("XINYONG_VAR_DIR", BASE_DIR / "var")).resolve()
CATALOG_DIR = Path(os.environ.get("XINYONG_CATALOG_DIR", BASE_DIR / "catalog" / "qingdao"))

SECRET_KEY = secret_key(VAR_DIR)
DEBUG = env_bool("XINYONG_DEBUG", False)
ALLOWED_HOSTS = env_list("XINYONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "xinyong.core",
    "xinyong.journal",
    "xinyong.catalog",
    "xinyong.access",
    "xinyong.subjects",
    "xinyong.records",
    "xinyong.lists",
    "xinyong.measures",
    "xinyong.collection",
    "xinyong.portal",
    "xinyong.console",
    "xinyong.api",
    "xinyong.demo",
]

MIDDLEWARE = [
    "xinyong.core.middleware.ServerTiming",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinyong.urls"
WSGI_APPLICATION = "xinyong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config(os.environ.get("XINYONG_DATABASE_URL"), VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background processing (django-tasks with its database backend; `xinyong batches worker`).
# Batches whose stored file is at most BATCH_INLINE_MAX_BYTES are processed in the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BATCH_INLINE_MAX_BYTES = env_int("XINYONG_BATCH_INLINE_MAX_BYTES", 2 * 2**20)
# POST /api/v1/batches carries up to 20,000 rows as JSON (Django's default is 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 2**20

# The public JSON API (/api/v1/public/): requests per client address, counted in the cache
# (per process with the default local-memory cache). The address is REMOTE_ADDR unless
# XINYONG_PROXIES trusted reverse proxies sit in front and report it in X-Forwarded-For.
XINYONG_PUBLIC_API_RATE = os.environ.get("XINYONG_PUBLIC_API_RATE", "120/min")
NINJA_NUM_PROXIES = env_int("XINYONG_PROXIES", 0)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Repeated failed logins lock the account+address pair for an hour (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("XINYONG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it (and the finders)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("XINYONG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINYONG_LOG_LEVEL", "WARNING")},
}
