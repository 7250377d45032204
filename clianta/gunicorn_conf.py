"""gunicorn's settings for the web process: ``gunicorn -c clianta/gunicorn_conf.py
clianta.wsgi:application`` (docker/Dockerfile runs it so).

The access log prints each request's path without its query string and without the Referer:
an OAuth callback carries its one-time ``code`` and ``state`` there (and a page opened from it
would send them as its Referer). Both gunicorn loggers also pass through the project's secret
scrubber, so an error that prints a request URL masks them too."""

from gunicorn.glogging import Logger

from clianta.scrub import ScrubSecretsFilter

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'


class ScrubbingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(found, ScrubSecretsFilter) for found in log.filters):
                log.addFilter(ScrubSecretsFilter())


logger_class = ScrubbingLogger
