# Standard nbdev 2 setup.py: every setting comes from settings.ini.
from configparser import ConfigParser
import re, setuptools, shlex

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

licenses = {
    'apache2': ('Apache Software License 2.0','OSI Approved :: Apache Software License'),
    'mit': ('MIT License', 'OSI Approved :: MIT License'),
}
statuses = [ '1 - Planning', '2 - Pre-Alpha', '3 - Alpha',
    '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive' ]
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
extras = {'dev': dev_requirements, 'tune': shlex.split(cfg.get('tune_requirements', ''))}
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))

def long_description(readme='README.md'):
    "README.md for a package index: relative links point into the repository (images at their raw files), where an index can follow them."
    repo = cfg['git_url'].rstrip('/')
    raw = repo.replace('https://github.com/', 'https://raw.githubusercontent.com/') + '/' + cfg['branch'] + '/'
    def absolute(m):
        bang, text, url = m.groups()
        if re.match(r'[a-z][a-z0-9+.-]*:|#|/', url): return m.group(0)
        return f"{bang}[{text}]({(raw if bang else repo + '/blob/' + cfg['branch'] + '/') + url})"
    return re.sub(r'(!?)\[([^\]]*)\]\(([^)\s]+)\)', absolute, open(readme, encoding='utf-8').read())

setuptools.setup(
    name = cfg['lib_name'],
    license = lic[0],
    classifiers = [
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + ['Programming Language :: Python :: '+o for o in py_versions[py_versions.index(min_python):]] + (['License :: ' + lic[1] ] if lic[1] else []),
    url = cfg['git_url'],
    packages = setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data = True,
    package_data = {cfg['lib_name']: ['profiles/*.yaml']},
    install_requires = requirements,
    extras_require = extras,
    python_requires  = '>=' + cfg['min_python'],
    long_description = long_description(),
    long_description_content_type = 'text/markdown',
    zip_safe = False,
    entry_points = {
        'console_scripts': cfg.get('console_scripts').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']
    },
    **setup_cfg)
