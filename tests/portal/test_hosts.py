import pytest

from portal.hosts import (
    LoginEnvironment,
    UntrustedHost,
    choose_login_host,
    is_salesforce_url,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.my.salesforce.com",
        "https://acme--uat.sandbox.my.salesforce.com",
        "https://acme.lightning.force.com/lightning/page/home",
        "https://login.salesforce.com",
        "https://acme--c.vf.force.com",
        "https://acme.my.site.com",
    ],
)
def test_salesforce_hosts_are_trusted(url, settings):
    settings.LOCAL_SALESFORCE_URL = ""
    assert is_salesforce_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.my.salesforce.com",
        "https://evil.com",
        "https://salesforce.com.evil.com",
        "https://evilsalesforce.com",
        "https://acme.my.salesforce.com:8443",
        "https://user:pw@acme.my.salesforce.com",
        "javascript:alert(1)",
        "http://127.0.0.1:8001",
    ],
)
def test_other_hosts_are_not(url, settings):
    settings.LOCAL_SALESFORCE_URL = ""
    assert not is_salesforce_url(url)


def test_the_configured_stand_in_is_trusted(settings):
    settings.LOCAL_SALESFORCE_URL = "http://127.0.0.1:8001"
    assert is_salesforce_url("http://127.0.0.1:8001/services/oauth2/token")
    assert not is_salesforce_url("http://127.0.0.1:8002")


def test_production_sandbox_and_my_domain_resolve_to_their_login_hosts(settings):
    settings.LOCAL_SALESFORCE_URL = ""
    assert choose_login_host("production").url == "https://login.salesforce.com"
    assert choose_login_host("sandbox").url == "https://test.salesforce.com"
    my_domain = choose_login_host("my_domain", "acme")
    assert my_domain.url == "https://acme.my.salesforce.com"
    assert my_domain.environment is LoginEnvironment.MY_DOMAIN
    assert choose_login_host("my_domain", "https://acme--uat.sandbox.my.salesforce.com/").url == (
        "https://acme--uat.sandbox.my.salesforce.com"
    )


@pytest.mark.parametrize("my_domain", ["evil.com", "acme.my.salesforce.com.evil.com", "a b"])
def test_a_my_domain_outside_salesforce_is_refused(settings, my_domain):
    settings.LOCAL_SALESFORCE_URL = ""
    with pytest.raises(UntrustedHost):
        choose_login_host("my_domain", my_domain)


def test_an_unknown_environment_is_refused():
    with pytest.raises(UntrustedHost):
        choose_login_host("staging")
