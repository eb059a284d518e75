/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: cdd5fa52cafab0d8508919600aa83333b144187b */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Psc_Worker_Command___construct, 0, 0, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, arguments, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_Psc_Worker_Command_make, 0, 1, Psc\\Worker\\Command, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, arguments, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Command___toString, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_Psc_Worker_Command_fromString, 0, 1, Psc\\Worker\\Command, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
ZEND_END_ARG_INFO()


ZEND_METHOD(Psc_Worker_Command, __construct);
ZEND_METHOD(Psc_Worker_Command, make);
ZEND_METHOD(Psc_Worker_Command, __toString);
ZEND_METHOD(Psc_Worker_Command, fromString);


static const zend_function_entry class_Psc_Worker_Command_methods[] = {
	ZEND_ME(Psc_Worker_Command, __construct, arginfo_class_Psc_Worker_Command___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Worker_Command, make, arginfo_class_Psc_Worker_Command_make, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Command, __toString, arginfo_class_Psc_Worker_Command___toString, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Worker_Command, fromString, arginfo_class_Psc_Worker_Command_fromString, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Worker_Command(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Worker", "Command", class_Psc_Worker_Command_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);

	zval property_name_default_value;
	ZVAL_UNDEF(&property_name_default_value);
	zend_string *property_name_name = zend_string_init("name", sizeof("name") - 1, 1);
	zend_declare_typed_property(class_entry, property_name_name, &property_name_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_name_name);

	zval property_arguments_default_value;
	ZVAL_UNDEF(&property_arguments_default_value);
	zend_string *property_arguments_name = zend_string_init("arguments", sizeof("arguments") - 1, 1);
	zend_declare_typed_property(class_entry, property_arguments_name, &property_arguments_default_value, ZEND_ACC_PUBLIC|ZEND_ACC_READONLY, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_ARRAY));
	zend_string_release(property_arguments_name);

	return class_entry;
}
