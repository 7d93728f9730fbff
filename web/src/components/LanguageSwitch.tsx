// zh-CN / en, one click; remembered in the browser and, when signed in, on the user's account.
import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../api/session.tsx';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../i18n/index.ts';

export function LanguageSwitch() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <Segmented<Language>
      size="small"
      aria-label={t('common:language.label')}
      data-testid="language-switch"
      value={currentLanguage()}
      options={LANGUAGES.map((l) => ({ value: l, label: t(`common:language.${l}`) }))}
      onChange={(l) => void (session.me ? session.changeLanguage(l) : setLanguage(l))}
    />
  );
}
